//! TLS trust: an unknown CA is refused with advice; `ca_file` or `insecure` let the handshake
//! through (the server then answers HTML, which is the next, clear, error).

mod common;

use common::{spec, start_tls_server};
use sitrep::model::source::SourceKind;
use sitrep::sources::{AlertmanagerClient, ErrorKind};

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
