//! TLS trust: an unknown CA is refused with advice; `ca_file` or `insecure` let the handshake
//! through (the server then answers HTML, which is the next, clear, error). The executor sets
//! a source's TLS up once.

mod common;

use common::{spec, start_tls_server, start_tls_server_with};
use sitrep::config::source::Secret;
use sitrep::effect::Effect;
use sitrep::exec::Executor;
use sitrep::model::app::AppKey;
use sitrep::model::source::SourceKind;
use sitrep::msg::{ArgocdPayload, EffectOutcome, Msg, SourcePayload, SourceUpdate};
use sitrep::sources::{AlertmanagerClient, ErrorKind, spawn_sources};
use std::time::Duration;
use tokio::sync::mpsc;

#[tokio::test]
async fn untrusted_then_trusted_certificates() {
    let Some((server, ca)) = start_tls_server().await else {
        return;
    };
    let base = spec("tls-am", SourceKind::Alertmanager, &server.url);

    let err = AlertmanagerClient::new(&base)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    assert_eq!(
        err.message,
        "certificate not trusted: set ca_file or insecure = true for this source"
    );

    let mut with_ca = base.clone();
    with_ca.tls.ca_file = Some(ca);
    let err = AlertmanagerClient::new(&with_ca)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::NotJson,
        "handshake passed with ca_file: {err:?}"
    );
    assert!(
        err.message.starts_with("expected JSON but got text/html: "),
        "{err}"
    );

    // Trusted CA, wrong name (the certificate is for 127.0.0.1 only).
    let mut by_name = with_ca.clone();
    by_name.url.set_host(Some("localhost")).unwrap();
    let err = AlertmanagerClient::new(&by_name)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    assert!(
        err.message
            .starts_with("certificate is not valid for localhost:"),
        "{err}"
    );

    let mut insecure = base.clone();
    insecure.tls.insecure = true;
    let err = AlertmanagerClient::new(&insecure)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::NotJson,
        "handshake passed with insecure: {err:?}"
    );
}

#[tokio::test]
async fn an_inline_ca_and_a_client_certificate() {
    let Some((server, ca, identity)) = start_tls_server_with(true).await else {
        return;
    };
    let mut base = spec("mtls", SourceKind::Alertmanager, &server.url);
    // The argocd CLI's `certificate-authority-data`, decoded: PEM text, no file.
    base.tls.ca_pem = Some(std::fs::read_to_string(&ca).unwrap());

    // Trusted, but the server wants a client certificate.
    let err = AlertmanagerClient::new(&base)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Tls | ErrorKind::Connect),
        "{err:?}"
    );

    let mut with_identity = base.clone();
    with_identity.tls.client_identity_pem = identity.map(Secret::new);
    let err = AlertmanagerClient::new(&with_identity)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::NotJson,
        "mutual TLS handshake passed: {err:?}"
    );

    // Unusable inline material is a configuration error that names the source.
    let mut bad_ca = base.clone();
    bad_ca.tls.ca_pem = Some("not a certificate".into());
    let err = AlertmanagerClient::new(&bad_ca).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(
        err.message.contains("mtls") && err.message.contains("not PEM"),
        "{err}"
    );
    let mut bad_identity = base.clone();
    bad_identity.tls.client_identity_pem = Some(Secret::new("-----BEGIN NOTHING-----"));
    let err = AlertmanagerClient::new(&bad_identity).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.message.contains("client certificate"), "{err}");
}

/// The executor builds a source's client (and its TLS setup) once and reuses it for every
/// effect; a client that could not be built is built again on the next effect. Seen through
/// the CA file, which is only read when a client is built.
#[tokio::test]
async fn the_executor_sets_up_tls_once_per_source_and_again_only_after_a_failure() {
    let Some((server, ca)) = start_tls_server().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca_copy = dir.path().join("ca.pem");
    let mut s = spec("tls-argo", SourceKind::Argocd, &server.url);
    s.tls.ca_file = Some(ca_copy.clone());
    let (tx, mut rx) = mpsc::channel(8);
    let executor = Executor::new(
        std::slice::from_ref(&s),
        tx.clone(),
        spawn_sources(Vec::new(), tx),
    );
    // A detail fetch (the server only answers GETs): what went wrong, whichever way it failed.
    let mut fetch = async || {
        let key = AppKey {
            instance: "tls-argo".into(),
            namespace: String::new(),
            name: "checkout".into(),
        };
        executor.run(Effect::FetchAppDetail { key, refresh: None });
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Msg::Done(EffectOutcome::MutationFailed { error, .. }))) => error,
            Ok(Some(Msg::Source(SourceUpdate {
                payload: SourcePayload::Argocd(ArgocdPayload::AppDetail { detail, .. }),
                ..
            }))) => detail.error.expect("the server answers HTML"),
            other => panic!("expected the fetch to fail, got {other:?}"),
        }
    };

    // No CA file yet: the client cannot be built.
    let error = fetch().await;
    assert!(error.starts_with("cannot read ca_file"), "{error}");
    // Now it can: built, and the handshake passes (the server then answers HTML).
    std::fs::copy(&ca, &ca_copy).unwrap();
    let error = fetch().await;
    assert!(
        error.starts_with("expected JSON but got text/html"),
        "{error}"
    );
    // The CA file is gone, but the client built with it serves the next effect.
    std::fs::remove_file(&ca_copy).unwrap();
    let error = fetch().await;
    assert!(
        error.starts_with("expected JSON but got text/html"),
        "{error}"
    );
}
