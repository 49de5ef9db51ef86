//! Themes: semantic roles mapped to styles, defined once. Renderers ask for a role
//! (`theme.critical`), never for a colour. Built-in themes are the files in `themes/`, embedded;
//! user themes load from `<config dir>/themes/*.toml` and win over built-ins of the same name.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

pub const BUILTIN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

pub const DEFAULT_THEME: &str = "dark";

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub critical: Style,
    pub warning: Style,
    pub info: Style,
    pub ok: Style,
    pub muted: Style,
    pub accent: Style,
    pub selection: Style,
    pub border: Style,
    pub header: Style,
    /// No colours at all (NO_COLOR): meaning is carried by words, symbols and modifiers.
    pub no_color: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    description: Option<String>,
    roles: BTreeMap<String, RoleSpec>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RoleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    dim: bool,
}

const ROLES: [&str; 10] = [
    "text",
    "critical",
    "warning",
    "info",
    "ok",
    "muted",
    "accent",
    "selection",
    "border",
    "header",
];

impl Theme {
    /// Parse a theme file. Errors name the role and the bad value.
    pub fn parse(name: &str, toml_text: &str) -> Result<Theme, String> {
        let file: ThemeFile =
            toml::from_str(toml_text).map_err(|e| format!("theme `{name}`: {e}"))?;
        let _ = file.description;
        for key in file.roles.keys() {
            if !ROLES.contains(&key.as_str()) {
                return Err(format!(
                    "theme `{name}`: unknown role `{key}` (roles: {})",
                    ROLES.join(", ")
                ));
            }
        }
        let style =
            |role: &str| -> Result<Style, String> {
                let spec = file.roles.get(role).cloned().unwrap_or_default();
                let mut s = Style::default();
                if let Some(fg) = &spec.fg {
                    s = s.fg(parse_color(fg)
                        .map_err(|e| format!("theme `{name}`, role `{role}`: {e}"))?);
                }
                if let Some(bg) = &spec.bg {
                    s = s.bg(parse_color(bg)
                        .map_err(|e| format!("theme `{name}`, role `{role}`: {e}"))?);
                }
                for (on, m) in [
                    (spec.bold, Modifier::BOLD),
                    (spec.italic, Modifier::ITALIC),
                    (spec.underline, Modifier::UNDERLINED),
                    (spec.reversed, Modifier::REVERSED),
                    (spec.dim, Modifier::DIM),
                ] {
                    if on {
                        s = s.add_modifier(m);
                    }
                }
                Ok(s)
            };
        Ok(Theme {
            name: name.to_string(),
            text: style("text")?,
            critical: style("critical")?,
            warning: style("warning")?,
            info: style("info")?,
            ok: style("ok")?,
            muted: style("muted")?,
            accent: style("accent")?,
            selection: style("selection")?,
            border: style("border")?,
            header: style("header")?,
            no_color: false,
        })
    }

    /// The NO_COLOR theme: modifiers only. Selection stays visible as reverse video, critical
    /// as bold; words and symbols carry the rest.
    pub fn no_color() -> Theme {
        let plain = Style::default();
        Theme {
            name: "no-color".to_string(),
            text: plain,
            critical: plain.add_modifier(Modifier::BOLD),
            warning: plain,
            info: plain,
            ok: plain,
            muted: plain,
            accent: plain.add_modifier(Modifier::BOLD),
            selection: plain.add_modifier(Modifier::REVERSED),
            border: plain,
            header: plain.add_modifier(Modifier::BOLD),
            no_color: true,
        }
    }

    pub fn builtin(name: &str) -> Option<Theme> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Theme::parse(n, text).expect("built-in themes are valid"))
    }
}

/// Named colours (`red`, `lightred`), `#rrggbb`, or an ANSI index (`0`-`255`).
fn parse_color(text: &str) -> Result<Color, String> {
    text.parse::<Color>().map_err(|_| {
        format!("`{text}` is not a colour: use a name like `red`, `#rrggbb`, or 0-255")
    })
}

/// All themes the user can pick: built-ins plus `<dir>/*.toml`. Broken user themes are reported,
/// not fatal.
pub fn available(user_dir: Option<&Path>) -> (Vec<Theme>, Vec<String>) {
    let mut themes: Vec<Theme> = BUILTIN
        .iter()
        .filter_map(|(n, _)| Theme::builtin(n))
        .collect();
    let mut problems = Vec::new();
    if let Some(dir) = user_dir
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            match std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| Theme::parse(&name, &t))
            {
                Ok(theme) => {
                    themes.retain(|t| t.name != theme.name);
                    themes.push(theme);
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
    }
    (themes, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_differ() {
        for (name, _) in BUILTIN {
            let t = Theme::builtin(name).unwrap();
            assert_ne!(t.critical, t.ok, "{name}: critical and ok must differ");
            assert_ne!(
                t.selection,
                Style::default(),
                "{name}: selection must be visible"
            );
        }
    }

    #[test]
    fn bad_colour_is_named() {
        let err = Theme::parse("x", "[roles]\ncritical = { fg = \"reddish\" }").unwrap_err();
        assert!(err.contains("critical") && err.contains("reddish"), "{err}");
    }
}
