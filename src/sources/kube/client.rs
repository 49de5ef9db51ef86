//! A cluster's client, built from the user's kubeconfig the way kubectl reads it: `$KUBECONFIG`
//! (a list of files, merged) or `~/.kube/config`, or the file a source names; the source's
//! context; exec-credential plugins and tokens as the kubeconfig says.

use crate::config::source::SourceSpec;
use crate::sources::error::{ErrorKind, SourceError};
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The kubeconfig a source reads: its files merged in order (kubectl's rules: the first file
/// naming a context, cluster or user wins); with none resolved, kube's own lookup.
pub fn read_kubeconfig(spec: &SourceSpec) -> Result<Kubeconfig, SourceError> {
    let read = if spec.kube.kubeconfigs.is_empty() {
        Kubeconfig::read()
    } else {
        spec.kube
            .kubeconfigs
            .iter()
            .try_fold(Kubeconfig::default(), |merged, path| {
                Kubeconfig::read_from(path).and_then(|next| merged.merge(next))
            })
    };
    read.map_err(|e| {
        SourceError::new(
            ErrorKind::Config,
            None,
            crate::sanitize::value(&format!("cannot read the kubeconfig: {e}")),
        )
    })
}

/// A client for `spec`'s context, with the source's timeouts.
pub async fn connect(spec: &SourceSpec) -> Result<kube::Client, SourceError> {
    let kubeconfig = read_kubeconfig(spec)?;
    if !kubeconfig
        .contexts
        .iter()
        .any(|c| c.name == spec.kube.context)
    {
        return Err(SourceError::new(
            ErrorKind::Config,
            None,
            format!(
                "context {:?} is not in the kubeconfig",
                crate::sanitize::value(&spec.kube.context)
            ),
        ));
    }
    let options = KubeConfigOptions {
        context: Some(spec.kube.context.clone()),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| {
            SourceError::new(
                ErrorKind::Config,
                None,
                crate::sanitize::value(&format!("context {}: {e}", spec.kube.context)),
            )
        })?;
    config.connect_timeout = Some(spec.timeout);
    // Watches hold a response open for minutes: the read timeout is the watch's own (set per
    // request by the watcher), not the source's.
    config.read_timeout = None;
    config.write_timeout = Some(spec.timeout);
    kube::Client::try_from(config).map_err(|e| {
        SourceError::new(
            ErrorKind::Config,
            None,
            crate::sanitize::value(&format!("context {}: {e}", spec.kube.context)),
        )
    })
}
