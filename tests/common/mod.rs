//! Shared test helpers: real Alertmanager/Prometheus processes on free loopback ports (killed by
//! a Drop guard), the skip-or-fail rule for missing binaries, and a scriptable raw HTTP server
//! for hostile answers. Each test file uses part of this.
#![allow(dead_code)]

use serde_json::json;
use sitrep::config::source::SourceSpec;
use sitrep::model::source::SourceKind;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

pub const ALERTMANAGER_BIN: &str = "/usr/bin/prometheus-alertmanager";
pub const PROMETHEUS_BIN: &str = "/usr/bin/prometheus";

/// Is `bin` installed? Missing under CI=true fails the test; elsewhere one loud line and skip.
pub fn have_binary(bin: &str, package: &str) -> bool {
    if Path::new(bin).exists() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{bin} is missing: CI must install {package} (apt-get install -y {package})");
    }
    eprintln!("SKIP: install {package} (apt-get install -y {package}) to run this test");
    false
}

/// A port that was free a moment ago (the caller retries if someone takes it meanwhile).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a loopback port")
}

pub fn spec(name: &str, kind: SourceKind, url: &Url) -> SourceSpec {
    let mut s = SourceSpec::new(name, kind, url.clone(), "test");
    s.timeout = Duration::from_secs(10);
    s
}

/// A real server process; killed (by PID) and reaped on drop, its temp dir removed.
pub struct ServerProcess {
    child: Child,
    pub url: Url,
    pub dir: tempfile::TempDir,
    log: PathBuf,
}

impl ServerProcess {
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `bin` with `args(port, dir)`, retrying on a new port if it dies before it is ready
/// (port taken by a parallel test). `ready_path` is appended to the base URL.
async fn start_process(
    bin: &str,
    files: &[(&str, &str)],
    args: impl Fn(u16, &Path) -> Vec<String>,
    base_path: &str,
) -> ServerProcess {
    let mut last_log = String::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write config");
        }
        let port = free_port();
        let log = dir.path().join("server.log");
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(bin)
            .args(args(port, dir.path()))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("start {bin}: {e}"));
        let url = Url::parse(&format!("http://127.0.0.1:{port}{base_path}")).unwrap();
        let mut proc = ServerProcess {
            child,
            url,
            dir,
            log,
        };
        if wait_ready(&mut proc).await {
            return proc;
        }
        last_log = proc.log();
    }
    panic!("{bin} did not become ready; last log:\n{last_log}");
}

/// Poll `/-/ready` until 200, the process dies, or a generous hang guard (60 s) passes.
async fn wait_ready(proc: &mut ServerProcess) -> bool {
    let client = reqwest::Client::new();
    let ready = format!("{}/-/ready", proc.url.as_str().trim_end_matches('/'));
    for _ in 0..600 {
        if proc.child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(r) = client.get(&ready).send().await
            && r.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

const AM_CONFIG: &str =
    "route: {receiver: default, group_by: [alertname, service]}\nreceivers: [{name: default}]\n";

/// A real Alertmanager (clustering off). `prefix` like `/alertmanager` serves it under a path.
/// `None` when the binary is missing outside CI (already reported).
pub async fn start_alertmanager_at(prefix: &str) -> Option<ServerProcess> {
    if !have_binary(ALERTMANAGER_BIN, "prometheus-alertmanager") {
        return None;
    }
    let prefix = prefix.to_string();
    let base = prefix.clone();
    Some(
        start_process(
            ALERTMANAGER_BIN,
            &[("am.yml", AM_CONFIG)],
            move |port, dir| {
                let mut a = vec![
                    "--config.file=am.yml".to_string(),
                    format!("--storage.path={}", dir.join("data").display()),
                    format!("--web.listen-address=127.0.0.1:{port}"),
                    "--cluster.listen-address=".to_string(),
                ];
                if !prefix.is_empty() {
                    a.push(format!("--web.route-prefix={prefix}"));
                }
                a
            },
            &base,
        )
        .await,
    )
}

pub async fn start_alertmanager() -> Option<ServerProcess> {
    start_alertmanager_at("").await
}

/// A real Alertmanager already holding `n` firing alerts (see [`test_alerts`]): for benchmarks.
pub async fn start_alertmanager_with_alerts(n: usize) -> Option<ServerProcess> {
    let am = start_alertmanager().await?;
    let alerts = test_alerts(n);
    for chunk in alerts.chunks(2000) {
        post_alerts(&am.url, chunk).await;
    }
    Some(am)
}

/// `n` distinct alerts over a few names, services and severities, ending hours from now.
pub fn test_alerts(n: usize) -> Vec<serde_json::Value> {
    let now = chrono::Utc::now();
    let starts = (now - chrono::Duration::minutes(5)).to_rfc3339();
    let ends = (now + chrono::Duration::hours(6)).to_rfc3339();
    let names = [
        "HighErrorRate",
        "KubePodCrashLooping",
        "HighLatency",
        "DiskFull",
    ];
    let severities = ["critical", "warning", "info"];
    (0..n)
        .map(|i| {
            json!({
                "labels": {
                    "alertname": names[i % names.len()],
                    "service": format!("svc-{}", i % 50),
                    "severity": severities[i % severities.len()],
                    "instance": format!("10.0.{}.{}:9100", i / 256, i % 256),
                },
                "annotations": {"summary": format!("alert number {i}"), "description": "line one\nline two"},
                "startsAt": starts,
                "endsAt": ends,
                "generatorURL": format!("http://prometheus.example/graph?g0.expr=up&i={i}"),
            })
        })
        .collect()
}

/// `POST /api/v2/alerts` on a real Alertmanager (panics on failure: the test cannot go on).
pub async fn post_alerts(base: &Url, alerts: &[serde_json::Value]) {
    let url = format!("{}/api/v2/alerts", base.as_str().trim_end_matches('/'));
    let resp = reqwest::Client::new()
        .post(&url)
        .json(alerts)
        .send()
        .await
        .expect("post alerts");
    assert!(resp.status().is_success(), "post alerts: {}", resp.status());
}

/// A real Prometheus evaluating `rules_yaml` every second.
pub async fn start_prometheus(rules_yaml: &str) -> Option<ServerProcess> {
    if !have_binary(PROMETHEUS_BIN, "prometheus") {
        return None;
    }
    let config =
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\n";
    Some(
        start_process(
            PROMETHEUS_BIN,
            &[("prom.yml", config), ("rules.yml", rules_yaml)],
            |port, dir| {
                vec![
                    "--config.file=prom.yml".to_string(),
                    format!("--storage.tsdb.path={}", dir.join("data").display()),
                    format!("--web.listen-address=127.0.0.1:{port}"),
                ]
            },
            "",
        )
        .await,
    )
}

/// An HTTPS server (`openssl s_server -www`: any GET answers an HTML status page) with a
/// certificate for 127.0.0.1 issued by a throwaway CA. Returns the server and the CA file.
pub async fn start_tls_server() -> Option<(ServerProcess, PathBuf)> {
    start_tls_server_with(false)
        .await
        .map(|(server, ca, _)| (server, ca))
}

/// [`start_tls_server`]; with `client_auth`, the server demands a client certificate issued by
/// the same CA, and the third value is one (certificate and key, PEM).
pub async fn start_tls_server_with(
    client_auth: bool,
) -> Option<(ServerProcess, PathBuf, Option<String>)> {
    if !have_binary("/usr/bin/openssl", "openssl") {
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=sitrep-test-ca",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    ]
    .concat());
    std::fs::write(
        dir.path().join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    let identity = client_auth.then(|| {
        run(&[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "client.key",
                "-out",
                "client.csr",
                "-subj",
                "/CN=sitrep-client",
            ],
        ]
        .concat());
        std::fs::write(
            dir.path().join("client.cnf"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.pem",
            "-days",
            "2",
            "-extfile",
            "client.cnf",
        ]);
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        format!("{}{}", read("client.pem"), read("client.key"))
    });
    for _ in 0..3 {
        let port = free_port();
        let log = dir.path().join(format!("s_server-{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
                "leaf.pem",
                "-key",
                "leaf.key",
                "-www",
                "-quiet",
            ])
            .args(if client_auth {
                &["-Verify", "1", "-CAfile", "ca.pem"][..]
            } else {
                &[][..]
            })
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .spawn()
            .expect("start openssl s_server");
        let url = Url::parse(&format!("https://127.0.0.1:{port}")).unwrap();
        let ca = dir.path().join("ca.pem");
        let mut proc = ServerProcess {
            child,
            url,
            dir: tempfile::tempdir().expect("temp dir"),
            log,
        };
        for _ in 0..100 {
            if proc.child.try_wait().ok().flatten().is_some() {
                break;
            }
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                // The certificates' dir must outlive the server: keep it in the guard.
                proc.dir = dir;
                return Some((proc, ca, identity));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("openssl s_server did not start");
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 server for answers no well-behaved framework would send.

/// What the scripted server saw.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Raw header block.
    pub headers: String,
    pub body: Vec<u8>,
}

pub enum Reply {
    /// Raw bytes written as they are (status line, headers, body), then the connection closes.
    Raw(Vec<u8>),
    /// A head without Content-Length, then `len` bytes of body, then close (no framing hint).
    Stream { head: String, len: usize },
    /// Accept, read the request, never answer.
    Hang,
}

/// A complete response with Content-Length.
pub fn reply(status: u16, content_type: &str, body: impl AsRef<[u8]>) -> Reply {
    let body = body.as_ref();
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Reply::Raw(out)
}

pub fn json_reply(body: &serde_json::Value) -> Reply {
    reply(200, "application/json", serde_json::to_vec(body).unwrap())
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A scripted server on a loopback port; it lives as long as the test's runtime.
pub struct ScriptedServer {
    pub url: Url,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

pub async fn scripted_server(
    handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> ScriptedServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let handler = handler.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let _ = serve_one(sock, handler, seen).await;
            });
        }
    });
    ScriptedServer { url, requests }
}

async fn serve_one(
    mut sock: TcpStream,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<Request>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if buf[0] == 0x16 {
            // A TLS ClientHello: answer like a plain HTTP server does.
            sock.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n").await?;
            return sock.shutdown().await;
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    let req = Request {
        method,
        target,
        headers: head,
        body,
    };
    let answer = handler(&req);
    seen.lock().unwrap().push(req);
    match answer {
        Reply::Raw(bytes) => {
            sock.write_all(&bytes).await?;
        }
        Reply::Stream { head, len } => {
            sock.write_all(head.as_bytes()).await?;
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < len {
                let n = chunk.len().min(len - sent);
                sock.write_all(&chunk[..n]).await?;
                sent += n;
            }
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }
    sock.shutdown().await
}
