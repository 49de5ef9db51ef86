//! The service catalog: who owns what. Entities come from the Backstage catalog API
//! (`sources::catalog`) or from `catalog-info.yaml` files (`local`); both are decoded once
//! (`decode`) into the types of `entity`.
//!
//! - `entity`: Component, Group, User, System as sitrep keeps them.
//! - `decode`: one document (JSON value) into an entity, cleaned and capped.
//! - `local`: `catalog-info.yaml` files and directories, `kind: Location` followed.
//! - `index`: the join of components to alerts and apps, owners, systems.

pub mod decode;
pub mod entity;
pub mod index;
pub mod local;

pub use decode::decode;
pub use entity::{Decoded, Entity, EntityKind, EntityRef, Link, Spec};
pub use index::{CatalogIndex, KUBERNETES_ID, KUBERNETES_SELECTOR, MatchedBy};
