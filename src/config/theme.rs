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
        let theme = Theme {
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
        };
        if let Some(problem) = theme.unpaired_colour() {
            return Err(format!("theme `{name}`: {problem}"));
        }
        Ok(theme)
    }

    /// Every role, named.
    pub fn roles(&self) -> [(&'static str, Style); 10] {
        [
            ("text", self.text),
            ("critical", self.critical),
            ("warning", self.warning),
            ("info", self.info),
            ("ok", self.ok),
            ("muted", self.muted),
            ("accent", self.accent),
            ("selection", self.selection),
            ("border", self.border),
            ("header", self.header),
        ]
    }

    /// The colours a role is drawn in: its own, else the base `text` role's, which the renderer
    /// fills under everything. `None` is the terminal's own default colour, unknown to us.
    fn effective(&self, role: Style) -> (Option<Color>, Option<Color>) {
        let known = |c: Option<Color>| c.filter(|c| *c != Color::Reset);
        (
            known(role.fg).or(known(self.text.fg)),
            known(role.bg).or(known(self.text.bg)),
        )
    }

    /// A colour drawn against the terminal's unknown default is a guess: dark text vanishes on a
    /// dark terminal, light text on a light one. So a theme that sets a foreground also sets the
    /// background it was chosen for (on `text`, which the renderer fills everywhere), and the
    /// other way round.
    fn unpaired_colour(&self) -> Option<String> {
        for (name, role) in self.roles() {
            match self.effective(role) {
                (Some(_), None) => {
                    return Some(format!(
                        "role `{name}` sets a foreground colour, but the theme sets no \
                         background: it would be unreadable on some terminals\n  \
                         fix: give `text` a `bg` too (the whole screen is filled with it), or \
                         set no colours, only modifiers"
                    ));
                }
                (None, Some(_)) => {
                    return Some(format!(
                        "role `{name}` sets a background colour, but the theme sets no \
                         foreground for it: it would be unreadable on some terminals\n  \
                         fix: give `{name}` (or `text`) an `fg` too"
                    ));
                }
                _ => {}
            }
        }
        None
    }

    /// Where text would be hard to read: each role against the background it is drawn on.
    /// Text needs 4.5:1 (WCAG AA), borders 3:1. Named and indexed colours are judged by xterm's
    /// default palette (a terminal's own palette may differ). (On a selected row, a colour that
    /// would not stand out from the selection's background gives way to the selection's
    /// foreground when drawn: see `ui::widgets::selectable_row`.)
    pub fn contrast_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, role) in self.roles() {
            let need = if name == "border" { 3.0 } else { TEXT_CONTRAST };
            if let (Some(fg), Some(bg)) = self.effective(role)
                && let Some(ratio) = contrast(fg, bg)
                && ratio < need
            {
                problems.push(format!(
                    "role `{name}`: {ratio:.1}:1 against its background (needs {need}:1)"
                ));
            }
        }
        problems
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

/// The contrast that text needs against its background (WCAG AA for normal text).
pub const TEXT_CONTRAST: f64 = 4.5;

/// WCAG contrast ratio of two colours (1.0 to 21.0); `None` when either is the terminal's
/// default (unknown).
pub fn contrast(a: Color, b: Color) -> Option<f64> {
    let (la, lb) = (luminance(rgb(a)?), luminance(rgb(b)?));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The colour as RGB; named and indexed colours as in xterm's default palette. `None` for the
/// terminal's default (`Reset`).
fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    const ANSI: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let indexed = |i: u8| -> (u8, u8, u8) {
        match i {
            0..=15 => ANSI[usize::from(i)],
            16..=231 => {
                let i = i - 16;
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                (level(i / 36), level((i / 6) % 6), level(i % 6))
            }
            _ => {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            }
        }
    };
    Some(match c {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => indexed(i),
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
    })
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
                    for problem in theme.contrast_problems() {
                        problems.push(format!("{}: hard to read: {problem}", path.display()));
                    }
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
