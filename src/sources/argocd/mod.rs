//! Argo CD: the REST client, its wire types and their conversion to the model, the live watch
//! task, and the glue the executor calls for Argo CD effects.
//!
//! - `wire`: serde types of Argo CD's JSON, tolerant of every field missing, null or odd.
//! - `convert`: wire → `model::app`, every string sanitised.
//! - `client`: `ArgocdClient` (list, get, tree, events, version, watch, mutations).
//! - `watch`: the source task (list, stream, reconnect) → `Msg::Source`.
//! - `effects`: `fetch_detail` and `run_argocd_effect` for the executor.

pub mod client;
pub mod convert;
pub mod effects;
pub mod watch;
pub mod wire;

pub use client::{ArgocdClient, DEFAULT_LINE_CAP, DEFAULT_LIST_CAP};
pub use effects::{fetch_detail, run_argocd_effect};
pub use watch::WatchOptions;
