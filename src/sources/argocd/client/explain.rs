//! What an Argo CD error means for the person at the keyboard: 401 → run `argocd login`;
//! 403 → which permission on which project; 404 on an app → which app; anything else (400, 409:
//! "rollback cannot be initiated when auto-sync is enabled") → the server's own words.

use super::{ArgocdClient, wire};
use crate::config::source::Auth;
use crate::model::app::AppKey;
use crate::sanitize;
use crate::sources::error::{ErrorKind, SourceError};

/// An Argo CD RBAC action (`applications, <action>`), named in 403 messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Get,
    Sync,
    Update,
}

impl Permission {
    pub fn word(self) -> &'static str {
        match self {
            Permission::Get => "get",
            Permission::Sync => "sync",
            Permission::Update => "update",
        }
    }
}

/// What a request was for, so its error can say what to do.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub key: Option<&'a AppKey>,
    pub permission: Permission,
    /// The action in words: "roll back", "list apps".
    pub doing: &'a str,
}

impl ArgocdClient {
    /// `host[:port]` (+ root path) as `argocd login` wants it.
    pub(super) fn login_target(&self) -> String {
        let url = &self.spec.url;
        let mut s = url.host_str().unwrap_or("").to_string();
        if let Some(p) = url.port() {
            s.push_str(&format!(":{p}"));
        }
        let path = url.path().trim_matches('/');
        if !path.is_empty() {
            s.push_str(&format!(" --grpc-web-root-path /{path}"));
        }
        if url.scheme() == "http" {
            s.push_str(" --plaintext");
        }
        s
    }

    /// Turn a mid-stream `{"error":{…}}` into an error like any other answer's.
    pub async fn stream_error(&self, e: wire::StreamError) -> SourceError {
        let code = e
            .http_code
            .0
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (100..600).contains(c));
        let msg = match e.message.as_str() {
            "" => "the watch stream reported an error".to_string(),
            m => m.to_string(),
        };
        let kind = match code {
            Some(401) => ErrorKind::Unauthorized,
            Some(403) => ErrorKind::Forbidden,
            Some(404) => ErrorKind::NotFound,
            Some(500..=599) => ErrorKind::Server,
            Some(_) => ErrorKind::Rejected,
            None => ErrorKind::Api,
        };
        let err = self.http.error(kind, code, &msg);
        self.explain(
            err,
            Ctx {
                key: None,
                permission: Permission::Get,
                doing: "watch applications",
            },
        )
        .await
    }

    /// The error as the person at the keyboard needs it.
    pub(super) async fn explain(&self, e: SourceError, ctx: Ctx<'_>) -> SourceError {
        match e.status {
            Some(401) => {
                let msg = match &self.spec.auth {
                    Auth::None => format!(
                        "no Argo CD token for source {}: set token_env in its [[argocd]] entry, export ARGOCD_AUTH_TOKEN, or run `argocd login {}`",
                        self.source(),
                        self.login_target()
                    ),
                    _ => format!(
                        "token expired or invalid: run `argocd login {}`",
                        self.login_target()
                    ),
                };
                self.http.error(ErrorKind::Unauthorized, e.status, &msg)
            }
            Some(403) => {
                let perm = ctx.permission.word();
                let msg = match ctx.key {
                    Some(key) => {
                        // The project is worth one more request on this path only: "which
                        // project" is what the admin needs to grant the permission.
                        let project = if ctx.permission == Permission::Get {
                            None
                        } else {
                            self.http
                                .get_json::<wire::ProjectOnly>(
                                    &["api", "v1", "applications", &key.name],
                                    &Self::app_query(key)
                                        .iter()
                                        .map(|(k, v)| (*k, v.as_str()))
                                        .collect::<Vec<_>>(),
                                )
                                .await
                                .ok()
                                .map(|a| sanitize::clean_line(a.spec.project.as_str(), 200))
                                .filter(|p| !p.is_empty())
                        };
                        let on = match project {
                            Some(p) => format!("project {p}"),
                            None => "its project (or the app does not exist)".to_string(),
                        };
                        format!(
                            "permission denied for app {}: your account lacks `applications, {perm}` on {on}",
                            key.name
                        )
                    }
                    None => format!(
                        "permission denied: your account may not {} on {} (needs `applications, {perm}`)",
                        ctx.doing,
                        self.source()
                    ),
                };
                self.http.error(ErrorKind::Forbidden, e.status, &msg)
            }
            Some(404) if ctx.key.is_some() => {
                let key = ctx.key.map(|k| k.name.as_str()).unwrap_or("");
                let msg = format!("app {key} not found on {}", self.source());
                self.http.error(ErrorKind::NotFound, e.status, &msg)
            }
            // 400, 409 and the rest: the server's own words are already the message.
            _ => e,
        }
    }
}
