//! Catalog sources: the Backstage catalog API (`backstage`) and local `catalog-info.yaml`
//! files (`crate::catalog::local`). No actions.

pub mod backstage;
