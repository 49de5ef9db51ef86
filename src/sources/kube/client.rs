//! A cluster's client, built from the user's kubeconfig the way kubectl reads it: `$KUBECONFIG`
//! (a list of files, merged) or `~/.kube/config`, or the file a source names; the source's
//! context; exec-credential plugins and tokens as the kubeconfig says.
//!
//! Kubeconfigs hold credentials: errors about them name the file and what is wrong, never the
//! parser's own words (which may quote the offending value, a token included).

use crate::config::source::SourceSpec;
use crate::sources::error::{ErrorKind, SourceError};
use ::kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One kubeconfig file, read and parsed; the error says which file and what kind of trouble.
pub fn read_kubeconfig_file(path: &Path) -> Result<Kubeconfig, String> {
    Kubeconfig::read_from(path).map_err(|e| describe_kubeconfig_error(path, &e))
}

/// The files merged in order (kubectl's rules: the first file naming a context, cluster or user
/// wins).
pub fn read_kubeconfig_files(paths: &[PathBuf]) -> Result<Kubeconfig, String> {
    paths
        .iter()
        .try_fold(Kubeconfig::default(), |merged, path| {
            let next = read_kubeconfig_file(path)?;
            merged
                .merge(next)
                .map_err(|e| describe_kubeconfig_error(path, &e))
        })
}

/// What went wrong with a kubeconfig, without quoting its contents.
fn describe_kubeconfig_error(path: &Path, e: &KubeconfigError) -> String {
    let file = crate::sanitize::clean_line(&path.display().to_string(), 500);
    match e {
        KubeconfigError::ReadConfig(io, _) => format!("{file}: cannot read the kubeconfig: {io}"),
        KubeconfigError::Parse(_) => format!("{file}: not a valid kubeconfig (YAML)"),
        KubeconfigError::KindMismatch | KubeconfigError::ApiVersionMismatch => {
            format!("{file}: cannot be merged with the kubeconfigs before it: {e}")
        }
        _ => format!("{file}: unusable kubeconfig"),
    }
}

/// The kubeconfig a source reads: its resolved files merged; with none resolved, kube's own
/// lookup (`$KUBECONFIG` of the process, else `~/.kube/config`).
pub fn read_kubeconfig(spec: &SourceSpec) -> Result<Kubeconfig, SourceError> {
    let read = if spec.kube.kubeconfigs.is_empty() {
        Kubeconfig::read().map_err(|e| describe_kubeconfig_error(Path::new("kubeconfig"), &e))
    } else {
        read_kubeconfig_files(&spec.kube.kubeconfigs)
    };
    read.map_err(|message| SourceError::new(ErrorKind::Config, None, message))
}

/// A client for `spec`'s context, with the source's timeouts. Reads never time out: a watch
/// holds its response open for minutes (the watcher guards those itself).
pub async fn connect(spec: &SourceSpec) -> Result<::kube::Client, SourceError> {
    connect_with_read_timeout(spec, None).await
}

/// A client whose connections give up after `read_timeout` without a byte: for the watchers,
/// whose streams carry at least a bookmark or the server's close within the watch's timeout, so
/// silence past it means the connection is gone (an idle load balancer dropped it).
pub async fn connect_with_read_timeout(
    spec: &SourceSpec,
    read_timeout: Option<Duration>,
) -> Result<::kube::Client, SourceError> {
    let config = client_config(spec, read_timeout).await?;
    client_from(spec, config)
}

/// A client from `config` (built by [`client_config`], perhaps adjusted).
pub fn client_from(
    spec: &SourceSpec,
    config: ::kube::Config,
) -> Result<::kube::Client, SourceError> {
    let context = crate::sanitize::clean_line(&spec.kube.context, 200);
    // Building the client may already run the credential plugin: its error is described by
    // kind (the plugin's output may hold a token).
    ::kube::Client::try_from(config).map_err(|e| {
        let what = error_phrase(&e);
        SourceError::new(
            ErrorKind::Config,
            None,
            crate::sanitize::clean_line(&format!("context {context}: {what}"), 300),
        )
    })
}

/// The client settings of `spec`'s context (its kubeconfig, the source's timeouts): checked
/// that the context exists, errors naming the kind of trouble, never the file's contents.
pub async fn client_config(
    spec: &SourceSpec,
    read_timeout: Option<Duration>,
) -> Result<::kube::Config, SourceError> {
    let kubeconfig = read_kubeconfig(spec)?;
    let context = crate::sanitize::clean_line(&spec.kube.context, 200);
    if !kubeconfig
        .contexts
        .iter()
        .any(|c| c.name == spec.kube.context)
    {
        return Err(SourceError::new(
            ErrorKind::Config,
            None,
            format!("context `{context}` is not in the kubeconfig"),
        ));
    }
    let options = KubeConfigOptions {
        context: Some(spec.kube.context.clone()),
        ..Default::default()
    };
    let mut config = ::kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| config_error(&context, &e))?;
    config.connect_timeout = Some(spec.timeout);
    config.read_timeout = read_timeout;
    config.write_timeout = Some(spec.timeout);
    Ok(config)
}

/// A context whose settings cannot make a client (bad CA data, a missing client key file…):
/// the kind of trouble, not the data.
fn config_error(context: &str, e: &KubeconfigError) -> SourceError {
    let what = match e {
        KubeconfigError::MissingClusterUrl => "its cluster has no server URL".to_string(),
        KubeconfigError::ParseClusterUrl(_) => "its cluster's server is not a URL".to_string(),
        KubeconfigError::LoadCertificateAuthority(_) => {
            "cannot load its certificate authority".to_string()
        }
        KubeconfigError::LoadClientCertificate(_) => {
            "cannot load its client certificate".to_string()
        }
        KubeconfigError::LoadClientKey(_) => "cannot load its client key".to_string(),
        KubeconfigError::ParseCertificates(_) => "its certificates are not valid PEM".to_string(),
        KubeconfigError::LoadContext(_) | KubeconfigError::LoadClusterOfContext(_) => {
            "its cluster or user is missing from the kubeconfig".to_string()
        }
        _ => "unusable settings in the kubeconfig".to_string(),
    };
    SourceError::new(
        ErrorKind::Config,
        None,
        format!("context {context}: {what}"),
    )
}

/// A client error as one clean line: what kind of trouble, and the server's own words for an
/// API answer (capped). Never a request's headers, a credential plugin's output, a parser's
/// text or a file's contents: everything but the server's `Status` is a fixed phrase.
pub fn describe_error(e: &::kube::Error) -> SourceError {
    let (kind, status) = match e {
        ::kube::Error::Api(s) => (
            match s.code {
                401 => ErrorKind::Unauthorized,
                403 => ErrorKind::Forbidden,
                404 => ErrorKind::NotFound,
                500..=599 => ErrorKind::Server,
                _ => ErrorKind::Rejected,
            },
            Some(s.code),
        ),
        ::kube::Error::SerdeError(_) => (ErrorKind::InvalidJson, None),
        ::kube::Error::Auth(_) | ::kube::Error::InferKubeconfig(_) => (ErrorKind::Config, None),
        _ if io_kind(e) == Some(std::io::ErrorKind::ConnectionRefused) => {
            (ErrorKind::Refused, None)
        }
        _ => (ErrorKind::Connect, None),
    };
    SourceError::new(
        kind,
        status,
        crate::sanitize::clean_line(&error_phrase(e), 300),
    )
}

/// What went wrong, as [`describe_error`] says it (without the kind).
pub fn error_phrase(e: &::kube::Error) -> String {
    use ::kube::Error as E;
    match e {
        E::Api(s) if !s.message.is_empty() => {
            crate::sanitize::clean_line(&format!("{} {}", s.code, s.message), 300)
        }
        E::Api(s) => format!("the API server answered {}", s.code),
        E::SerdeError(_) => "the API answered something that is not the expected JSON".into(),
        E::Auth(a) => auth_phrase(a).into(),
        E::InferKubeconfig(_) | E::InferConfig(_) => "unusable settings in the kubeconfig".into(),
        E::RustlsTls(_) | E::TlsRequired => "cannot set up TLS for the API server".into(),
        E::ProxyProtocolUnsupported { .. } | E::ProxyProtocolDisabled { .. } => {
            "the configured proxy's protocol is not supported".into()
        }
        E::FromUtf8(_) | E::LinesCodecMaxLineLengthExceeded => {
            "the API answered something that is not text".into()
        }
        E::HttpError(_) | E::BuildRequest(_) => "cannot build the request".into(),
        E::Discovery(_) => "the API server's discovery answer is unusable".into(),
        E::HyperError(_) | E::Service(_) | E::ReadEvents(_) => transport_phrase(e),
    }
}

/// A credential problem by kind: a plugin's output (which may hold a token), a parser's text
/// and file contents stay out.
fn auth_phrase(e: &::kube::client::AuthError) -> &'static str {
    use ::kube::client::AuthError as A;
    match e {
        A::InvalidBasicAuth(_) => "the kubeconfig's username or password cannot be sent",
        A::InvalidBearerToken(_) => "the token cannot be sent (not valid header text)",
        A::UnrefreshableTokenResponse => "the credential plugin's token cannot be refreshed",
        A::ExecPluginFailed => "the credential plugin's answer has no status",
        A::MalformedTokenExpirationDate(_) => "the credential plugin's token expiry is not a date",
        A::AuthExecStart(_) => "cannot start the credential plugin",
        A::AuthExecRun { .. } | A::AuthExec(_) => "the credential plugin failed",
        A::AuthExecParse(_) => "the credential plugin's output is not an ExecCredential",
        A::AuthExecSerialize(_) => "cannot prepare the credential plugin's input",
        A::ReadTokenFile(..) => "cannot read the token file",
        A::ParseTokenKey(_) => "the auth provider's token is not in the expected form",
        A::MissingCommand => "the kubeconfig's exec plugin names no command",
        A::ExecMissingClusterInfo => "the credential plugin needs the cluster's details",
        A::NoValidNativeRootCA(_) => "no valid root certificates on this machine",
    }
}

/// A connection failure: its kind from the first I/O error in the chain (or a credential error
/// a middleware wrapped), never the texts themselves.
fn transport_phrase(e: &::kube::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(a) = err.downcast_ref::<::kube::client::AuthError>() {
            return auth_phrase(a).into();
        }
        source = err.source();
    }
    use std::io::ErrorKind as K;
    let what = match io_kind(e) {
        Some(K::ConnectionRefused) => "connection refused",
        Some(K::TimedOut) => "timed out",
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe) => "connection reset",
        Some(K::UnexpectedEof) => "the connection closed mid-answer",
        Some(K::InvalidData) => "TLS or protocol failure (the server's certificate or answer)",
        Some(K::NotFound) => "address not found",
        _ => "connection failed",
    };
    format!("cannot reach the API server: {what}")
}

fn io_kind(e: &::kube::Error) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::describe_error;
    use crate::sources::error::ErrorKind;

    #[tokio::test]
    async fn a_refused_connection_is_said_by_kind() {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let url = format!("http://127.0.0.1:{port}").parse().unwrap();
        let mut config = ::kube::Config::new(url);
        config.default_retry = false;
        let client = ::kube::Client::try_from(config).unwrap();
        let e = client.apiserver_version().await.unwrap_err();
        let described = describe_error(&e);
        assert_eq!(described.kind, ErrorKind::Refused, "{}", described.message);
        assert_eq!(
            described.message,
            "cannot reach the API server: connection refused"
        );
    }
}
