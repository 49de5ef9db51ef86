//! A pod's log tail (`GET …/pods/{name}/log`): at most `tail_lines` lines and the last 1 MiB
//! of them (no `limitBytes`: the server would keep the oldest bytes and cut the newest), every
//! line with escape sequences and control characters neutralised (a log is the most hostile
//! text sitrep shows: anything a process printed).

use super::wire::{Keep, Wire, checked_name, encode};
use crate::kube::{LogRequest, LogTail};
use axum::http::Method;

/// The most a tail keeps.
pub const LOG_BYTES_CAP: usize = 1024 * 1024;
/// The most lines a tail asks for, whatever the request says.
const MAX_TAIL_LINES: u32 = 100_000;
/// The longest line kept (a minified JSON log line can be huge).
const MAX_LINE_CHARS: usize = 8 * 1024;

/// Read the tail `req` asks for. `Err` is one readable line (the server's own words when it
/// explains, e.g. `previous terminated container "app" in pod "…" not found`).
pub async fn fetch(wire: &Wire, req: &LogRequest) -> Result<LogTail, String> {
    let namespace = checked_name("namespace", &req.pod.namespace).map_err(|e| e.message)?;
    let pod = checked_name("pod", &req.pod.name).map_err(|e| e.message)?;
    let tail_lines = req.tail_lines.clamp(1, MAX_TAIL_LINES);
    let mut url = format!(
        "/api/v1/namespaces/{namespace}/pods/{pod}/log?tailLines={tail_lines}&previous={}&timestamps=false",
        req.previous
    );
    if let Some(container) = &req.container {
        url.push_str("&container=");
        url.push_str(&encode(
            checked_name("container", container).map_err(|e| e.message)?,
        ));
    }
    match wire
        .exchange_keeping(Method::GET, &url, None, LOG_BYTES_CAP, Keep::Tail)
        .await
    {
        Ok(answer) => Ok(tail_of(&answer.body, answer.cut, tail_lines as usize)),
        // 400 and 404 carry the explanation itself ("container … is not valid", "pods … not
        // found"): show it as the server says it.
        Err(e) if matches!(e.status, Some(400 | 404)) => Err(match e.message.split_once(": ") {
            Some((_, server)) => server.to_string(),
            None => e.message,
        }),
        Err(e) => Err(e.message),
    }
}

/// Lines of `body` (already at most the byte cap, its newest end), the last `tail_lines` of
/// them, cleaned. `cut`: older bytes were dropped before the body (its first line is partial,
/// so it goes too). `truncated` in the tail: older lines were left out.
pub fn tail_of(body: &[u8], cut: bool, tail_lines: usize) -> LogTail {
    let body = if cut {
        match body.iter().position(|b| *b == b'\n') {
            Some(i) if i + 1 < body.len() => &body[i + 1..],
            // One line longer than the cap: keep its end rather than nothing.
            _ => body,
        }
    } else {
        body
    };
    let text = String::from_utf8_lossy(body);
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut truncated = cut;
    if lines.len() > tail_lines {
        lines.drain(..lines.len() - tail_lines);
        truncated = true;
    }
    LogTail {
        lines: lines
            .into_iter()
            .map(|l| crate::sanitize::clean_line(l.strip_suffix('\r').unwrap_or(l), MAX_LINE_CHARS))
            .collect(),
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::tail_of;

    #[test]
    fn empty_and_odd_bodies_make_sane_tails() {
        assert!(tail_of(b"", false, 10).lines.is_empty());
        assert_eq!(tail_of(b"\n", false, 10).lines, vec![String::new()]);
        let t = tail_of(b"a\r\nb\xff\xfe\nc", false, 10);
        assert_eq!(t.lines, vec!["a", "b\u{fffd}\u{fffd}", "c"]);
        assert!(!t.truncated);
        let t = tail_of(b"rtial\nb\nc", true, 10);
        assert_eq!(t.lines, vec!["b", "c"], "the partial oldest line goes");
        assert!(t.truncated, "older bytes were cut");
        let t = tail_of(b"1\n2\n3\n", false, 2);
        assert_eq!((t.lines, t.truncated), (vec!["2".into(), "3".into()], true));
    }
}
