//! Opening a link in the user's browser, and saying truthfully what became of it.
//!
//! The opener is `$BROWSER` (a `:`-separated list, `%s` standing for the URL), else `xdg-open`
//! (Linux, BSD) or `open` (macOS). Where no browser can appear (no display; an SSH session on a
//! Mac), nothing is started and the reason is reported: the caller then copies the URL instead.
//! The URL is one argv element, never shell text; the opener gets no terminal (stdin and stdout
//! are null, stderr is read for its complaint), so it can neither hang on nor draw over the TUI.

use crate::msg::EffectOutcome;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// How long an opener gets to say whether it worked. `xdg-open` and `open` hand the URL over
/// and exit at once; a browser named by `$BROWSER` may keep running, which counts as opened.
const GRACE: Duration = Duration::from_secs(3);
/// How long to wait, after a failed opener exits, for the rest of its complaint.
const STDERR_GRACE: Duration = Duration::from_millis(300);
/// The most of an opener's complaint shown in the status line.
const MAX_COMPLAINT: usize = 200;

/// The programs to try, in order, each an argv template (`%s` is the URL; without one the URL
/// is appended), or why no browser can open anything here.
pub(crate) fn openers(
    var: impl Fn(&str) -> Option<String>,
    macos: bool,
) -> Result<Vec<Vec<String>>, String> {
    let set = |k: &str| var(k).is_some_and(|v| !v.trim().is_empty());
    if let Some(browser) = var("BROWSER").filter(|b| !b.trim().is_empty()) {
        let list: Vec<Vec<String>> = browser
            .split(':')
            .map(|cmd| cmd.split_whitespace().map(str::to_string).collect())
            .filter(|argv: &Vec<String>| !argv.is_empty())
            .collect();
        if !list.is_empty() {
            return Ok(list);
        }
    }
    if macos {
        if set("SSH_CONNECTION") || set("SSH_TTY") {
            // `open` would show it on the remote Mac's screen, not the user's.
            return Err("SSH session (set $BROWSER)".to_string());
        }
        return Ok(vec![vec!["open".to_string()]]);
    }
    if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
        // Neither $DISPLAY nor $WAYLAND_DISPLAY: xdg-open would at best start a text browser
        // behind the dashboard.
        return Err("no display (set $BROWSER)".to_string());
    }
    Ok(vec![vec!["xdg-open".to_string()]])
}

/// Open `url` with the first opener that exists; the outcome names it, or says why not.
pub async fn open_url(url: String) -> EffectOutcome {
    let result = match openers(|k| std::env::var(k).ok(), cfg!(target_os = "macos")) {
        Ok(list) => try_openers(&list, &url).await,
        Err(why) => Err(why),
    };
    EffectOutcome::UrlOpen { url, result }
}

pub(crate) async fn try_openers(list: &[Vec<String>], url: &str) -> Result<String, String> {
    let mut missing = Vec::new();
    for template in list {
        match run_opener(template, url).await {
            Err(Attempt::NotFound) => missing.push(template[0].clone()),
            Err(Attempt::Failed(why)) => return Err(why),
            Ok(name) => return Ok(name),
        }
    }
    Err(match missing.as_slice() {
        [one] if one == "xdg-open" || one == "open" => {
            format!("{one} not installed (set $BROWSER)")
        }
        names => format!("$BROWSER's programs not installed ({})", names.join(", ")),
    })
}

enum Attempt {
    NotFound,
    Failed(String),
}

async fn run_opener(template: &[String], url: &str) -> Result<String, Attempt> {
    let name = template[0].clone();
    let mut args: Vec<String> = template[1..].iter().map(|a| a.replace("%s", url)).collect();
    if !template.iter().any(|a| a.contains("%s")) {
        args.push(url.to_string());
    }
    let spawned = Command::new(&name)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Attempt::NotFound),
        Err(e) => return Err(Attempt::Failed(format!("{name} could not start: {e}"))),
    };
    // Read the opener's complaint as it comes; keep draining to the end so a browser that
    // inherited the pipe never writes into a closed one.
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<String>();
    if let Some(mut stderr) = child.stderr.take() {
        tokio::spawn(async move {
            let mut kept = Vec::new();
            let mut chunk = [0u8; 1024];
            let mut first_tx = Some(first_tx);
            loop {
                match stderr.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let room = 1024usize.saturating_sub(kept.len());
                        kept.extend_from_slice(&chunk[..n.min(room)]);
                        if (kept.contains(&b'\n') || room == 0)
                            && let Some(tx) = first_tx.take()
                        {
                            let _ = tx.send(first_line(&kept));
                        }
                    }
                }
            }
            if let Some(tx) = first_tx.take() {
                let _ = tx.send(first_line(&kept));
            }
        });
    }
    match tokio::time::timeout(GRACE, child.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(name),
        Ok(Ok(status)) => {
            let said = tokio::time::timeout(STDERR_GRACE, first_rx)
                .await
                .ok()
                .and_then(Result::ok)
                .filter(|s| !s.is_empty());
            let how = match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was killed by a signal".to_string(),
            };
            let what = said.or_else(|| xdg_open_meaning(&name, status.code()));
            Err(Attempt::Failed(match what {
                Some(what) => format!("{name} {how}: {what}"),
                None => format!("{name} {how}"),
            }))
        }
        Ok(Err(e)) => Err(Attempt::Failed(format!("{name}: {e}"))),
        // Still running: a browser that stays in the foreground. It has the URL; reap it later.
        Err(_) => {
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
            Ok(name)
        }
    }
}

fn first_line(bytes: &[u8]) -> String {
    let text = crate::sanitize::lossy_utf8(bytes);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    crate::sanitize::clean_line(line.trim(), MAX_COMPLAINT)
}

/// xdg-open's documented exit codes, for when it exits without a word.
fn xdg_open_meaning(name: &str, code: Option<i32>) -> Option<String> {
    if name != "xdg-open" {
        return None;
    }
    let meaning = match code? {
        1 => "it rejected the command line",
        2 => "the file does not exist",
        3 => "it found no browser or tool to open the link",
        4 => "the browser failed to open the link",
        _ => return None,
    };
    Some(meaning.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn argv(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|a| a.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn browser_wins_and_is_a_list_of_commands() {
        let list = openers(env(&[("BROWSER", "firefox --new-tab:w3m %s")]), false).unwrap();
        assert_eq!(list, argv(&[&["firefox", "--new-tab"], &["w3m", "%s"]]));
    }

    #[test]
    fn xdg_open_only_where_a_browser_can_appear() {
        assert_eq!(
            openers(env(&[("DISPLAY", ":0")]), false).unwrap(),
            argv(&[&["xdg-open"]])
        );
        assert_eq!(
            openers(env(&[("WAYLAND_DISPLAY", "wayland-0")]), false).unwrap(),
            argv(&[&["xdg-open"]])
        );
        let why = openers(env(&[("SSH_CONNECTION", "10.0.0.1 5 10.0.0.2 22")]), false).unwrap_err();
        assert_eq!(why, "no display (set $BROWSER)");
    }

    #[test]
    fn a_mac_over_ssh_does_not_open_on_the_remote_screen() {
        assert_eq!(openers(env(&[]), true).unwrap(), argv(&[&["open"]]));
        let why = openers(env(&[("SSH_TTY", "/dev/ttys001")]), true).unwrap_err();
        assert_eq!(why, "SSH session (set $BROWSER)");
    }

    #[tokio::test]
    async fn a_missing_opener_is_named() {
        let why = try_openers(&argv(&[&["xdg-open-not-installed-here"]]), "http://x/")
            .await
            .unwrap_err();
        assert_eq!(
            why,
            "$BROWSER's programs not installed (xdg-open-not-installed-here)"
        );
    }

    #[tokio::test]
    async fn a_failing_opener_is_reported_with_its_words() {
        let why = try_openers(
            &argv(&[&["sh", "-c", "echo 'no method available for %s' >&2; exit 3"]]),
            "http://x/",
        )
        .await
        .unwrap_err();
        assert_eq!(
            why,
            "sh exited with status 3: no method available for http://x/"
        );
    }

    #[tokio::test]
    async fn the_first_installed_opener_takes_the_url() {
        let got = try_openers(&argv(&[&["no-such-browser-here"], &["true"]]), "http://x/").await;
        assert_eq!(got, Ok("true".to_string()));
    }

    #[test]
    fn xdg_open_codes_are_explained() {
        assert_eq!(
            xdg_open_meaning("xdg-open", Some(3)).as_deref(),
            Some("it found no browser or tool to open the link")
        );
        assert_eq!(xdg_open_meaning("firefox", Some(3)), None);
    }
}
