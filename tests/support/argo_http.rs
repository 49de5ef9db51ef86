//! A tiny HTTP client for the demo's emulated Argo CD (bearer token, JSON both ways, a
//! watch-stream reader) and the test helpers built on it (newline-delimited JSON or SSE). Reads time out after 20 s so a broken
//! stream fails a test instead of hanging it; nothing asserts on wall time.

#![allow(dead_code)]

use chrono::{TimeDelta, Utc};
use serde_json::Value;
use sitrep::demo::{self, DEMO_ARGOCD_TOKEN, DemoWorld, ScenarioClock};
use std::time::Duration;

/// A demo world on a frozen clock, and a client for its Argo CD.
pub async fn frozen() -> (DemoWorld, Argo) {
    let d = demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts");
    let argo = Argo::new(&d.argocd_url);
    (d, argo)
}

pub fn s(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

pub async fn app(argo: &Argo, name: &str) -> Value {
    let (code, v) = argo.get(&format!("/api/v1/applications/{name}")).await;
    assert_eq!(code, 200, "{v}");
    v
}

pub fn health(app: &Value) -> &str {
    app["status"]["health"]["status"].as_str().unwrap()
}

pub fn sync_status(app: &Value) -> &str {
    app["status"]["sync"]["status"].as_str().unwrap()
}

pub fn phase(app: &Value) -> &str {
    app["status"]["operationState"]["phase"]
        .as_str()
        .unwrap_or("")
}

pub fn history(app: &Value) -> Vec<Value> {
    app["status"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Alerts the emulated Alertmanager holds for `service`.
pub async fn firing_for(d: &DemoWorld, service: &str) -> usize {
    let url = format!("{}/api/v2/alerts", d.alertmanager_url);
    let alerts: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["labels"]["service"] == service)
        .count()
}

pub struct Argo {
    pub base: String,
    client: reqwest::Client,
}

impl Argo {
    pub fn new(base: &str) -> Argo {
        Argo {
            base: base.to_string(),
            client: reqwest::Client::new(),
        }
    }

    /// A request with an optional token (None: no Authorization header at all).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None, Some(DEMO_ARGOCD_TOKEN))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call(
            reqwest::Method::POST,
            path,
            Some(body),
            Some(DEMO_ARGOCD_TOKEN),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call(
            reqwest::Method::PATCH,
            path,
            Some(body),
            Some(DEMO_ARGOCD_TOKEN),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, None, Some(DEMO_ARGOCD_TOKEN))
            .await
    }

    /// Open `GET /api/v1/stream/applications?{query}`.
    pub async fn watch(&self, query: &str, sse: bool) -> Watch {
        let mut req = self
            .client
            .get(format!("{}/api/v1/stream/applications?{query}", self.base))
            .bearer_auth(DEMO_ARGOCD_TOKEN);
        if sse {
            req = req.header("Accept", "text/event-stream");
        }
        let resp = req.send().await.expect("watch");
        assert_eq!(resp.status(), 200, "watch answers 200");
        Watch {
            resp,
            buf: Vec::new(),
        }
    }
}

pub struct Watch {
    pub resp: reqwest::Response,
    buf: Vec<u8>,
}

impl Watch {
    /// The next raw line (without its newline); None when the stream ends.
    pub async fn line(&mut self) -> Option<String> {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return Some(String::from_utf8_lossy(&line[..i]).into_owned());
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.resp.chunk())
                .await
                .expect("the stream went quiet for 20 s")
                .expect("stream read");
            self.buf.extend_from_slice(&chunk?);
        }
    }

    /// The next message (`{"result":…}` or `{"error":…}`), either framing; keepalives and
    /// blank lines skipped.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let line = self.line().await?;
            let json = line.strip_prefix("data: ").unwrap_or(&line);
            if json.is_empty() || json.starts_with(':') {
                continue;
            }
            return Some(serde_json::from_str(json).expect("a stream line is JSON"));
        }
    }

    /// Skip messages until one about `app` arrives.
    pub async fn next_for(&mut self, app: &str) -> Value {
        loop {
            let v = self.next().await.expect("stream open");
            if v["result"]["application"]["metadata"]["name"] == app {
                return v;
            }
        }
    }
}
