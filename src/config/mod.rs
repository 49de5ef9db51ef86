//! Configuration: the file, flags and environment merged into one resolved `Config`.

pub mod keymap;
pub mod settings;
pub mod source;
pub mod theme;
