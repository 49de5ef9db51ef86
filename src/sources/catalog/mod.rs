//! Catalog sources (driver lands with the client and the local loader).
pub mod backstage;
pub mod config;
