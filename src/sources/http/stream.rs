//! Long-lived streams of lines (Argo CD's watch: one JSON document per line). A line may be many
//! megabytes (a big app's status): lines are only bounded by a cap the caller chooses, and the
//! buffer is scanned once, so a 20 MB line costs one pass, not one per chunk.

use super::{HttpClient, content_type};
use crate::sources::error::{ErrorKind, SourceError, human_size};
use reqwest::header::ACCEPT;
use reqwest::{Method, Response};

/// Error bodies are only read for a snippet.
const ERROR_BODY_CAP: usize = 64 * 1024;

/// An open stream: call [`LineStream::next_line`] until it returns `None` (the server closed it).
pub struct LineStream {
    resp: Response,
    client: HttpClient,
    buf: Vec<u8>,
    /// `buf[..scanned]` holds no newline.
    scanned: usize,
    cap: usize,
    content_type: Option<String>,
    done: bool,
}

impl std::fmt::Debug for LineStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineStream")
            .field("source", &self.client.source)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// GET a stream of lines (`accept`: the media type asked for). Returns once the response head arrived (a non-2xx answer is an
    /// error, classified like any other); lines longer than `line_cap` bytes end the stream
    /// with a `TooLarge` error.
    pub async fn get_lines(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        accept: &str,
        line_cap: usize,
    ) -> Result<LineStream, SourceError> {
        let mut url = self.url(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let what = format!("GET {}", url.path());
        let req = self.client.request(Method::GET, url).header(ACCEPT, accept);
        let resp = self
            .authorize(req)
            .send()
            .await
            .map_err(|e| self.classify(e))?;
        let status = resp.status();
        let content_type = content_type(&resp);
        if !status.is_success() {
            let bytes = self
                .read_body(resp, ERROR_BODY_CAP, false)
                .await
                .unwrap_or_default();
            return Err(self.status_error(status, &what, &bytes, content_type.as_deref()));
        }
        Ok(LineStream {
            resp,
            client: self.clone(),
            buf: Vec::new(),
            scanned: 0,
            cap: line_cap,
            content_type,
            done: false,
        })
    }
}

impl LineStream {
    /// The response's content type (lowercase), e.g. `application/json` or `text/event-stream`.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The next line without its `\n` (or `\r\n`); `Ok(None)` once the server closed the
    /// stream. A last line without a newline is returned too.
    pub async fn next_line(&mut self) -> Result<Option<Vec<u8>>, SourceError> {
        loop {
            if let Some(i) = self.buf[self.scanned..].iter().position(|b| *b == b'\n') {
                let end = self.scanned + i;
                let rest = self.buf.split_off(end + 1);
                let mut line = std::mem::replace(&mut self.buf, rest);
                line.truncate(end);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.scanned = 0;
                return Ok(Some(line));
            }
            self.scanned = self.buf.len();
            if self.buf.len() > self.cap {
                return Err(self.client.error(
                    ErrorKind::TooLarge,
                    None,
                    &format!("a streamed line is larger than {}", human_size(self.cap)),
                ));
            }
            if self.done {
                return Ok(if self.buf.is_empty() {
                    None
                } else {
                    self.scanned = 0;
                    Some(std::mem::take(&mut self.buf))
                });
            }
            match self.resp.chunk().await {
                Ok(Some(chunk)) => self.buf.extend_from_slice(&chunk),
                Ok(None) => self.done = true,
                Err(e) => return Err(self.client.classify(e)),
            }
        }
    }
}
