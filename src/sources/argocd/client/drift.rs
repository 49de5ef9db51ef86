//! Reads for fleet drift: an app's managed resources (its states as Argo CD compares them), a
//! commit's metadata, and the app's rendered manifests at given revisions. Reads only, allowed
//! on read-only sources; names and revisions are outside text, so they travel as encoded path
//! segments and query values, never spliced into a URL.

use super::explain::{Ctx, Permission};
use super::{ArgocdClient, wire};
use crate::drift::{ManagedItem, RevisionMeta};
use crate::model::app::AppKey;
use crate::sanitize;
use crate::sources::error::human_size;
use crate::sources::error::{ErrorKind, SourceError};
use reqwest::Method;

/// Cap on a managed-resources or manifests answer: states can be megabytes each.
pub const DRIFT_BODY_CAP: usize = 64 * 1024 * 1024;
/// Cap on a revision metadata answer (an author, a date, a message).
pub const META_BODY_CAP: usize = 1024 * 1024;
/// Longest commit message kept (characters).
pub const MESSAGE_CAP: usize = 4 * 1024;
/// Kubernetes names are at most 253 characters.
const NAME_CAP: usize = 253;
/// At most this many tags of a commit are kept.
const TAGS_CAP: usize = 32;

impl ArgocdClient {
    /// `appNamespace` (when the app has one) and `project` (when known: it turns an unknown
    /// app into a plain 404 instead of "permission denied").
    fn drift_query(key: &AppKey, project: Option<&str>) -> Vec<(&'static str, String)> {
        let mut q = Self::app_query(key);
        if let Some(p) = project.filter(|p| !p.is_empty()) {
            q.push(("project", p.to_string()));
        }
        q
    }

    /// GET and decode with a body cap of its own; passing it is said with what was asked.
    async fn get_capped<T: serde::de::DeserializeOwned>(
        &self,
        cap: usize,
        segments: &[&str],
        query: &[(&str, String)],
        ctx: Ctx<'_>,
    ) -> Result<T, SourceError> {
        let cap = cap.min(self.options.body_cap);
        let http = self.http.clone().with_body_cap(cap);
        let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = match http.request(Method::GET, segments, &q, None::<&()>).await {
            Ok(b) => b,
            Err(e) if e.kind == ErrorKind::TooLarge => {
                let name = ctx.key.map(|k| k.name.as_str()).unwrap_or("");
                return Err(self.http.error(
                    ErrorKind::TooLarge,
                    None,
                    &format!(
                        "the {} answer for app {name} is larger than {}: not read",
                        ctx.doing,
                        human_size(cap)
                    ),
                ));
            }
            Err(e) => return Err(self.explain(e, ctx).await),
        };
        self.http.decode(&body)
    }

    /// `GET /api/v1/applications/{name}/managed-resources?appNamespace=&project=`: each managed
    /// resource with its live, target, normalized-live and predicted-live states (raw JSON
    /// text, for `drift::diff`), names cleaned.
    pub async fn managed_resources(
        &self,
        key: &AppKey,
        project: Option<&str>,
    ) -> Result<Vec<ManagedItem>, SourceError> {
        let answer: wire::ManagedResourcesResponse = self
            .get_capped(
                DRIFT_BODY_CAP,
                &["api", "v1", "applications", &key.name, "managed-resources"],
                &Self::drift_query(key, project),
                Ctx {
                    key: Some(key),
                    permission: Permission::Get,
                    doing: "managed resources",
                },
            )
            .await?;
        Ok(answer.items.0.into_iter().map(managed_item).collect())
    }

    /// `GET …/revisions/{revision}/metadata?appNamespace=&project=&sourceIndex=`: a commit's
    /// author, date, tags and message, cleaned (the message keeps its lines, capped).
    pub async fn revision_metadata(
        &self,
        key: &AppKey,
        revision: &str,
        source_index: Option<usize>,
    ) -> Result<RevisionMeta, SourceError> {
        let mut query = Self::app_query(key);
        if let Some(i) = source_index {
            query.push(("sourceIndex", i.to_string()));
        }
        let m: wire::RevisionMetadata = self
            .get_capped(
                META_BODY_CAP,
                &[
                    "api",
                    "v1",
                    "applications",
                    &key.name,
                    "revisions",
                    revision,
                    "metadata",
                ],
                &query,
                Ctx {
                    key: Some(key),
                    permission: Permission::Get,
                    doing: "revision metadata",
                },
            )
            .await?;
        Ok(revision_meta(m))
    }

    /// `GET …/manifests?revision=` (multi-source: `revisions=` with `sourcePositions=1…`, one
    /// revision per source): the rendered manifests, each a JSON object as text (raw, for
    /// `drift::diff::diff_manifests`). No revision: what the app's target renders now.
    pub async fn manifests(
        &self,
        key: &AppKey,
        revisions: &[String],
    ) -> Result<Vec<String>, SourceError> {
        let mut query = Self::app_query(key);
        match revisions {
            [] => {}
            [one] => query.push(("revision", one.clone())),
            many => {
                for (i, r) in many.iter().enumerate() {
                    query.push(("revisions", r.clone()));
                    query.push(("sourcePositions", (i + 1).to_string()));
                }
            }
        }
        let answer: wire::ManifestResponse = self
            .get_capped(
                DRIFT_BODY_CAP,
                &["api", "v1", "applications", &key.name, "manifests"],
                &query,
                Ctx {
                    key: Some(key),
                    permission: Permission::Get,
                    doing: "manifests",
                },
            )
            .await?;
        Ok(answer.manifests.0.into_iter().map(|m| m.0).collect())
    }
}

fn managed_item(r: wire::ResourceDiff) -> ManagedItem {
    let name = |t: &wire::Text| sanitize::clean_line(t.as_str(), NAME_CAP);
    ManagedItem {
        group: name(&r.group),
        kind: name(&r.kind),
        namespace: name(&r.namespace),
        name: name(&r.name),
        live_state: r.live_state.0,
        target_state: r.target_state.0,
        normalized_live_state: r.normalized_live_state.0,
        predicted_live_state: r.predicted_live_state.0,
        modified: r.modified.0,
        hook: r.hook.0,
    }
}

fn revision_meta(m: wire::RevisionMetadata) -> RevisionMeta {
    RevisionMeta {
        author: sanitize::clean_line(m.author.as_str(), 200),
        date: m.date,
        message: sanitize::clean_text(m.message.as_str(), MESSAGE_CAP)
            .trim_end()
            .to_string(),
        tags: m
            .tags
            .iter()
            .take(TAGS_CAP)
            .map(|t| sanitize::clean_line(t.as_str(), 200))
            .filter(|t| !t.is_empty())
            .collect(),
    }
}
