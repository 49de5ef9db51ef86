//! The Argo CD REST client: list, get, resource tree, events, version, the watch stream, and
//! the mutations (rollback, sync, auto-sync on/off, terminate, refresh). Mutations are sent
//! once; nothing here retries.
//!
//! Errors say what to do: 401 → run `argocd login`; 403 → which permission on which project;
//! 400/409 → the server's own words (they are precise: "rollback cannot be initiated when
//! auto-sync is enabled").

use super::convert;
use super::wire;
use crate::config::source::SourceSpec;
use crate::model::app::{App, AppKey, KubeEvent, TreeNode};
use crate::sanitize;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpClient, HttpOptions, LineStream};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

mod bodies;
mod drift;
mod explain;
pub use bodies::{patch_body, rollback_body, sync_body};
pub use drift::{DRIFT_BODY_CAP, MESSAGE_CAP, META_BODY_CAP};
use explain::Ctx;
pub use explain::Permission;

/// Default cap on one line of the watch stream: Argo CD events of 10–32 MB have been seen.
pub const DEFAULT_LINE_CAP: usize = 64 * 1024 * 1024;
/// Default cap on a list answer (5,000 apps with big statuses).
pub const DEFAULT_LIST_CAP: usize = 256 * 1024 * 1024;

/// What [`ArgocdClient::set_auto_sync`] did.
#[derive(Clone, Debug)]
pub struct AutoSyncSet {
    /// The app as the server answered (as it was, when nothing had to change).
    pub app: App,
    /// Whether anything had to change.
    pub changed: bool,
    /// When it was turned off: the `spec.syncPolicy.automated` it had (prune, selfHeal…). It
    /// travels in the effect's outcome into the model and comes back to be restored.
    pub before: Option<Value>,
}

/// One Argo CD instance's client. Cheap to clone.
#[derive(Clone)]
pub struct ArgocdClient {
    http: HttpClient,
    /// Built on first use: only the source task watches.
    stream_http: Arc<OnceLock<Result<HttpClient, SourceError>>>,
    spec: Arc<SourceSpec>,
    options: HttpOptions,
    line_cap: usize,
}

impl std::fmt::Debug for ArgocdClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgocdClient")
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl ArgocdClient {
    pub fn new(spec: &SourceSpec) -> Result<ArgocdClient, SourceError> {
        let options = HttpOptions {
            body_cap: DEFAULT_LIST_CAP,
        };
        ArgocdClient::with_options(spec, &options, DEFAULT_LINE_CAP)
    }

    /// With explicit caps: `options.body_cap` for whole answers (lists), `line_cap` for one
    /// line of the watch stream.
    pub fn with_options(
        spec: &SourceSpec,
        options: &HttpOptions,
        line_cap: usize,
    ) -> Result<ArgocdClient, SourceError> {
        Ok(ArgocdClient {
            http: HttpClient::new(spec, options)?,
            stream_http: Arc::new(OnceLock::new()),
            spec: Arc::new(spec.clone()),
            options: options.clone(),
            line_cap,
        })
    }

    pub fn source(&self) -> &str {
        &self.spec.name
    }

    pub fn spec(&self) -> &SourceSpec {
        &self.spec
    }

    /// Query parameters that select this source's apps.
    fn list_query(&self) -> Vec<(&'static str, String)> {
        let o = &self.spec.argocd;
        let mut q: Vec<(&str, String)> =
            o.projects.iter().map(|p| ("projects", p.clone())).collect();
        if let Some(s) = &o.selector {
            q.push(("selector", s.clone()));
        }
        if let Some(ns) = &o.app_namespace {
            q.push(("appNamespace", ns.clone()));
        }
        q
    }

    fn app_query(key: &AppKey) -> Vec<(&'static str, String)> {
        if key.namespace.is_empty() {
            Vec::new()
        } else {
            vec![("appNamespace", key.namespace.clone())]
        }
    }

    async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
        ctx: Ctx<'_>,
    ) -> Result<crate::sources::http::Body, SourceError> {
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match self.http.request(method, segments, &query, body).await {
            Ok(b) => Ok(b),
            Err(e) => Err(self.explain(e, ctx).await),
        }
    }

    async fn get_decoded<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
        ctx: Ctx<'_>,
    ) -> Result<T, SourceError> {
        let body = self
            .call(Method::GET, segments, query, None::<&()>, ctx)
            .await?;
        self.http.decode(&body)
    }

    /// `GET /api/v1/applications` (with the source's projects, selector, app namespace):
    /// every app and the list's `resourceVersion` (to resume the watch from).
    pub async fn list(&self) -> Result<(Vec<App>, String), SourceError> {
        let list: wire::ApplicationList = self
            .get_decoded(
                &["api", "v1", "applications"],
                &self.list_query(),
                Ctx {
                    key: None,
                    permission: Permission::Get,
                    doing: "list applications",
                },
            )
            .await?;
        let rv = sanitize::clean_line(list.metadata.resource_version.as_str(), 200);
        let apps = list
            .items
            .0
            .into_iter()
            .filter(|a| !a.metadata.name.is_empty())
            .map(|a| convert::app(self.source(), a))
            .collect();
        Ok((apps, rv))
    }

    /// How many apps this source sees, cheaply: the list with `fields=items.metadata.name`
    /// (servers that ignore `fields` send whole apps, which still counts right). For `check`.
    pub async fn count_apps(&self) -> Result<usize, SourceError> {
        let mut query = self.list_query();
        query.push(("fields", "items.metadata.name".to_string()));
        let list: wire::ApplicationList = self
            .get_decoded(
                &["api", "v1", "applications"],
                &query,
                Ctx {
                    key: None,
                    permission: Permission::Get,
                    doing: "list applications",
                },
            )
            .await?;
        Ok(list.items.len())
    }

    /// `GET /api/v1/applications/{name}`: the full app (history, reconciledAt, messages).
    pub async fn get(&self, key: &AppKey) -> Result<App, SourceError> {
        self.get_app(key, None).await
    }

    /// `GET /api/v1/applications/{name}?refresh=normal|hard`: ask Argo CD to compare with git
    /// now (`hard` also drops the manifest cache), and return the app.
    pub async fn refresh(&self, key: &AppKey, hard: bool) -> Result<App, SourceError> {
        self.get_app(key, Some(if hard { "hard" } else { "normal" }))
            .await
    }

    async fn get_app(&self, key: &AppKey, refresh: Option<&str>) -> Result<App, SourceError> {
        let mut query = Self::app_query(key);
        if let Some(r) = refresh {
            query.push(("refresh", r.to_string()));
        }
        let app: wire::Application = self
            .get_decoded(
                &["api", "v1", "applications", &key.name],
                &query,
                Ctx {
                    key: Some(key),
                    permission: Permission::Get,
                    doing: "read",
                },
            )
            .await?;
        Ok(convert::app(self.source(), app))
    }

    /// `GET /api/v1/applications/{name}/resource-tree`.
    pub async fn resource_tree(&self, key: &AppKey) -> Result<Vec<TreeNode>, SourceError> {
        let tree: wire::ApplicationTree = self
            .get_decoded(
                &["api", "v1", "applications", &key.name, "resource-tree"],
                &Self::app_query(key),
                Ctx {
                    key: Some(key),
                    permission: Permission::Get,
                    doing: "read the resource tree of",
                },
            )
            .await?;
        Ok(convert::tree(tree))
    }

    /// `GET /api/v1/applications/{name}/events`, most recent first.
    pub async fn events(&self, key: &AppKey) -> Result<Vec<KubeEvent>, SourceError> {
        let list: wire::EventList = self
            .get_decoded(
                &["api", "v1", "applications", &key.name, "events"],
                &Self::app_query(key),
                Ctx {
                    key: Some(key),
                    permission: Permission::Get,
                    doing: "read the events of",
                },
            )
            .await?;
        Ok(convert::events(list))
    }

    /// `GET /api/version` → its `Version` (e.g. `v3.1.5+cfeed49`).
    pub async fn version(&self) -> Result<String, SourceError> {
        let v: wire::VersionMessage = self
            .get_decoded(
                &["api", "version"],
                &[],
                Ctx {
                    key: None,
                    permission: Permission::Get,
                    doing: "read the version",
                },
            )
            .await?;
        let v = sanitize::clean_line(v.version.as_str(), 100);
        if v.is_empty() {
            return Err(self.http.error(
                ErrorKind::InvalidJson,
                None,
                "GET /api/version has no Version: is this an Argo CD server?",
            ));
        }
        Ok(v)
    }

    /// Open the watch: `GET /api/v1/stream/applications` (with the source's filters), resuming
    /// after `resource_version` when given. With `sse`, ask for Server-Sent Events (keepalives);
    /// the lines are newline-delimited JSON otherwise.
    pub async fn watch(
        &self,
        resource_version: Option<&str>,
        sse: bool,
    ) -> Result<LineStream, SourceError> {
        let http = self
            .stream_http
            .get_or_init(|| HttpClient::new_streaming(&self.spec, &self.options))
            .clone()?;
        let mut query = self.list_query();
        if let Some(rv) = resource_version.filter(|rv| !rv.is_empty()) {
            query.push(("resourceVersion", rv.to_string()));
        }
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match http
            .get_lines(
                &["api", "v1", "stream", "applications"],
                &query,
                if sse {
                    "text/event-stream"
                } else {
                    "application/json"
                },
                self.line_cap,
            )
            .await
        {
            Ok(s) => Ok(s),
            Err(e) => Err(self
                .explain(
                    e,
                    Ctx {
                        key: None,
                        permission: Permission::Get,
                        doing: "watch applications",
                    },
                )
                .await),
        }
    }

    /// `POST …/rollback` `{"id":N,"dryRun":b,"prune":b,"appNamespace":ns}` → the app.
    pub async fn rollback(
        &self,
        key: &AppKey,
        id: i64,
        dry_run: bool,
        prune: bool,
    ) -> Result<App, SourceError> {
        let body = rollback_body(key, id, dry_run, prune);
        self.mutate(
            Method::POST,
            &["api", "v1", "applications", &key.name, "rollback"],
            &[],
            &body,
            Ctx {
                key: Some(key),
                permission: Permission::Sync,
                doing: "roll back",
            },
        )
        .await
    }

    /// `POST …/sync` `{"revision"?,"prune","dryRun","appNamespace"}` → the app.
    pub async fn sync(
        &self,
        key: &AppKey,
        revision: Option<&str>,
        prune: bool,
        dry_run: bool,
    ) -> Result<App, SourceError> {
        let body = sync_body(key, revision, prune, dry_run);
        self.mutate(
            Method::POST,
            &["api", "v1", "applications", &key.name, "sync"],
            &[],
            &body,
            Ctx {
                key: Some(key),
                permission: Permission::Sync,
                doing: "sync",
            },
        )
        .await
    }

    /// Turn auto-sync off (`spec.syncPolicy.automated: null`, reporting the settings it had)
    /// or back on (with `restore`, the settings reported when sitrep turned it off; else the
    /// app's own when `automated` is present but disabled; else `{"prune":false,"selfHeal":false}`).
    /// `PATCH /api/v1/applications/{name}` with a merge patch.
    pub async fn set_auto_sync(
        &self,
        key: &AppKey,
        enabled: bool,
        restore: Option<&Value>,
    ) -> Result<AutoSyncSet, SourceError> {
        // Read the current policy first: to report it, and to leave alone what is already so.
        let ctx = Ctx {
            key: Some(key),
            permission: Permission::Get,
            doing: "read",
        };
        let current: Value = self
            .get_decoded(
                &["api", "v1", "applications", &key.name],
                &Self::app_query(key),
                ctx,
            )
            .await?;
        let automated = wire::AutomatedOnly::deserialize_from(&current)
            .spec
            .sync_policy
            .automated;
        let on = automated
            .as_ref()
            .is_some_and(|a| a.get("enabled") != Some(&Value::Bool(false)));
        if on == enabled {
            let app: wire::Application =
                serde::Deserialize::deserialize(&current).map_err(|e| {
                    self.http
                        .error(ErrorKind::InvalidJson, None, &e.to_string())
                })?;
            return Ok(AutoSyncSet {
                app: convert::app(self.source(), app),
                changed: false,
                before: None,
            });
        }
        let (automated_value, before) = if enabled {
            let restore = restore.and_then(Value::as_object).cloned();
            let mut a = match (restore, automated) {
                (Some(before), _) => before,
                // Present but `enabled: false`: keep its settings, flip the switch.
                (None, Some(existing)) => existing,
                (None, None) => {
                    let mut m = serde_json::Map::new();
                    m.insert("prune".into(), Value::Bool(false));
                    m.insert("selfHeal".into(), Value::Bool(false));
                    m
                }
            };
            if a.contains_key("enabled") {
                a.insert("enabled".into(), Value::Bool(true));
            }
            (Value::Object(a), None)
        } else {
            (Value::Null, automated.map(Value::Object))
        };
        let body = patch_body(key, &automated_value);
        let app = self
            .mutate(
                Method::PATCH,
                &["api", "v1", "applications", &key.name],
                &[],
                &body,
                Ctx {
                    key: Some(key),
                    permission: Permission::Update,
                    doing: if enabled {
                        "enable auto-sync of"
                    } else {
                        "disable auto-sync of"
                    },
                },
            )
            .await?;
        Ok(AutoSyncSet {
            app,
            changed: true,
            before,
        })
    }

    /// `DELETE /api/v1/applications/{name}/operation`: stop the running sync or rollback.
    pub async fn terminate(&self, key: &AppKey) -> Result<(), SourceError> {
        self.call(
            Method::DELETE,
            &["api", "v1", "applications", &key.name, "operation"],
            &Self::app_query(key),
            None::<&()>,
            Ctx {
                key: Some(key),
                permission: Permission::Sync,
                doing: "terminate the operation of",
            },
        )
        .await
        .map(|_| ())
    }

    async fn mutate(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: &Value,
        ctx: Ctx<'_>,
    ) -> Result<App, SourceError> {
        let body = self.call(method, segments, query, Some(body), ctx).await?;
        let app: wire::Application = self.http.decode(&body)?;
        Ok(convert::app(self.source(), app))
    }
}

impl wire::AutomatedOnly {
    fn deserialize_from(v: &Value) -> wire::AutomatedOnly {
        serde::Deserialize::deserialize(v).unwrap_or_default()
    }
}
