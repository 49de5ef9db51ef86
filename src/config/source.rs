//! A fully resolved source: everything a source task needs to connect, nothing it has to look up.

use crate::model::source::SourceKind;
pub use crate::sources::argocd::config::ArgocdOptions;
pub use crate::sources::oncall::config::OnCallOptions;
use std::path::PathBuf;
use std::time::Duration;

/// A credential. Its `Debug` never shows the value, so it cannot leak into logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value, for the one place that puts it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Auth {
    #[default]
    None,
    Bearer(Secret),
    Basic {
        username: String,
        password: Secret,
    },
    /// `Authorization: <prefix><secret>`, for APIs with their own scheme: PagerDuty's
    /// `Token token=KEY`, Opsgenie's `GenieKey KEY`.
    Scheme {
        prefix: String,
        secret: Secret,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TlsOptions {
    /// Extra CA bundle (PEM) to trust, in addition to the system roots.
    pub ca_file: Option<PathBuf>,
    /// Extra CA certificates given inline (PEM), e.g. the argocd CLI's `certificate-authority-data`.
    pub ca_pem: Option<String>,
    /// Client certificate and key (PEM, concatenated) for mutual TLS.
    pub client_identity_pem: Option<Secret>,
    /// Skip certificate verification. Only ever set per source by the user.
    pub insecure: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    pub kind: SourceKind,
    /// Base URL without credentials (e.g. `http://127.0.0.1:9093`).
    pub url: url::Url,
    pub timeout: Duration,
    pub poll_interval: Duration,
    pub tls: TlsOptions,
    pub auth: Auth,
    pub read_only: bool,
    /// Where it was configured, for `sitrep check` and the status line.
    pub origin: String,
    /// Argo CD: projects, selector, app namespace (`sources::argocd::config`). Unused by
    /// other kinds.
    pub argocd: ArgocdOptions,
    /// Catalog: a local path instead of an API (`url` is then its `file:` URL), and the
    /// API's entity filters. Unused by other kinds.
    pub catalog: CatalogOptions,
    /// On-call: which paging service the URL is, and where its key came from. Unused by other kinds.
    pub oncall: Option<OnCallOptions>,
    /// Kubernetes: the kubeconfig context and namespaces (`sources::kube::config`). Unused
    /// by other kinds.
    pub kube: KubeOptions,
}

/// What a Kubernetes source reads: one context of the user's kubeconfig.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KubeOptions {
    /// The kubeconfig context (also the cluster's name on every row unless `name` is set).
    pub context: String,
    /// The kubeconfig files, merged in order as kubectl merges `$KUBECONFIG` (resolved when
    /// the config is loaded: the source's `kubeconfig`, else `$KUBECONFIG`'s list, else
    /// `~/.kube/config`).
    pub kubeconfigs: Vec<PathBuf>,
    /// Namespaces to watch; empty: all namespaces.
    pub namespaces: Vec<String>,
}

/// What a catalog source reads.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CatalogOptions {
    /// `catalog-info.yaml` files: this file, or every `*.yaml`/`*.yml` under this directory.
    pub path: Option<PathBuf>,
    /// Backstage `filter` parameters, each one OR-ed (`kind=component`); empty: the kinds
    /// sitrep uses.
    pub filters: Vec<String>,
}

impl SourceSpec {
    pub fn new(name: &str, kind: SourceKind, url: url::Url, origin: &str) -> SourceSpec {
        SourceSpec {
            name: name.to_string(),
            kind,
            url,
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_secs(10),
            tls: TlsOptions::default(),
            auth: Auth::None,
            read_only: false,
            origin: origin.to_string(),
            argocd: ArgocdOptions::default(),
            catalog: CatalogOptions::default(),
            oncall: None,
            kube: KubeOptions::default(),
        }
    }

    /// The URL as shown to people: never with userinfo.
    pub fn display_url(&self) -> String {
        let mut u = self.url.clone();
        let _ = u.set_username("");
        let _ = u.set_password(None);
        u.to_string().trim_end_matches('/').to_string()
    }
}
