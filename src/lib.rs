//! sitrep: a terminal dashboard for on-call triage. See README.md for the shape of the code.

pub mod action;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod drift;
pub mod effect;
pub mod exec;
pub mod incident;
pub mod kube;
pub mod logging;
pub mod model;
pub mod msg;
pub mod notify;
pub mod runbook;
pub mod sanitize;
pub mod screens;
pub mod screenshots;
pub mod selector;
pub mod snapshot;
pub mod sources;
pub mod terminal;
pub mod ui;
pub mod update;
