//! Configuration: the file, flags and environment merged into one resolved `Config`.

pub mod argocd_cli;
pub mod file;
pub mod keymap;
pub mod load;
pub mod notify;
pub mod settings;
pub mod source;
pub mod theme;

#[cfg(test)]
mod proptests;
