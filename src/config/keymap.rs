//! Key bindings: (key, action) pairs, the defaults from the action table (`action.rs`) with the
//! user's `[keys]` on top. Lookup, hints and the help overlay all read them, so help can never
//! drift from what the keys do.

use crate::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeySpec {
    /// Parse `j`, `G`, `ctrl-d`, `enter`, `esc`, `tab`, `f5`, `space`…
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            // Also the arrows as `label` writes them, so a label always parses back.
            "up" | "↑" => KeyCode::Up,
            "down" | "↓" => KeyCode::Down,
            "left" | "←" => KeyCode::Left,
            "right" | "→" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().expect("checked"))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }),
                    _ => {
                        return Err(format!(
                            "`{text}` is not a key: write j, G, ctrl-d, enter, esc, tab, f5, space"
                        ));
                    }
                }
            }
        };
        Ok(KeySpec { code, mods })
    }

    /// Normalise a terminal key event: SHIFT is implied by an upper-case character.
    fn from_event(event: &KeyEvent) -> KeySpec {
        let mut mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::BackTab => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            other => other,
        };
        KeySpec { code, mods }
    }

    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("alt-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::Enter => s.push_str("enter"),
            KeyCode::Esc => s.push_str("esc"),
            KeyCode::Tab => s.push_str("tab"),
            KeyCode::BackTab => s.push_str("shift-tab"),
            KeyCode::Up => s.push('↑'),
            KeyCode::Down => s.push('↓'),
            KeyCode::Left => s.push('←'),
            KeyCode::Right => s.push('→'),
            KeyCode::Home => s.push_str("home"),
            KeyCode::End => s.push_str("end"),
            KeyCode::PageUp => s.push_str("pgup"),
            KeyCode::PageDown => s.push_str("pgdn"),
            KeyCode::F(n) => s.push_str(&format!("f{n}")),
            other => s.push_str(&format!("{other:?}").to_lowercase()),
        }
        s
    }
}

#[derive(Clone, Debug)]
pub struct Keymap {
    /// In help order: action, then its keys.
    bindings: Vec<(KeySpec, Action)>,
    lookup: HashMap<KeySpec, Action>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings: Vec<(KeySpec, Action)> = Action::all()
            .flat_map(|a| {
                a.def()
                    .keys
                    .iter()
                    .map(move |k| (KeySpec::parse(k).expect("default keys parse"), a))
            })
            .collect();
        Keymap::from_bindings(bindings)
    }
}

impl Keymap {
    fn from_bindings(bindings: Vec<(KeySpec, Action)>) -> Keymap {
        let lookup = bindings.iter().map(|(k, a)| (*k, *a)).collect();
        Keymap { bindings, lookup }
    }

    /// Defaults with the user's `[keys]` table on top: `silence = ["s", "ctrl-s"]` replaces every
    /// default key of that action; a key taken from another action moves.
    pub fn with_overrides(overrides: &BTreeMap<Action, Vec<String>>) -> Result<Keymap, String> {
        let mut bindings: Vec<(KeySpec, Action)> = Keymap::default()
            .bindings
            .into_iter()
            .filter(|(_, a)| !overrides.contains_key(a))
            .collect();
        for (action, keys) in overrides {
            for key in keys {
                let spec =
                    KeySpec::parse(key).map_err(|e| format!("[keys] {}: {e}", action.name()))?;
                bindings.retain(|(k, _)| *k != spec);
                bindings.push((spec, *action));
            }
        }
        bindings.sort_by_key(|(_, a)| a.position());
        Ok(Keymap::from_bindings(bindings))
    }

    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        self.lookup.get(&KeySpec::from_event(event)).copied()
    }

    /// Keys bound to an action, for hints: `j/↓`.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k.label())
            .collect()
    }

    /// The first key of an action, for compact hints.
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action)
            .into_iter()
            .next()
            .unwrap_or_else(|| "unbound".to_string())
    }

    /// (keys, description) per action, in help order.
    pub fn help_rows(&self) -> Vec<(Action, String)> {
        Action::all()
            .filter_map(|a| {
                let keys = self.keys_for(a);
                (!keys.is_empty()).then(|| (a, keys.join(" ")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn default_lookup_handles_shift_and_ctrl() {
        let km = Keymap::default();
        assert_eq!(
            km.action_for(&key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action_for(&key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action_for(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action_for(&key(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Action::Rollback)
        );
    }

    #[test]
    fn overrides_replace_and_steal() {
        let mut o = BTreeMap::new();
        o.insert(Action::Quit, vec!["Q".to_string()]);
        o.insert(Action::Silence, vec!["j".to_string()]);
        let km = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            km.action_for(&key(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            km.action_for(&key(KeyCode::Char('Q'), KeyModifiers::SHIFT)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action_for(&key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Silence)
        );
        assert_eq!(km.keys_for(Action::Down), vec!["↓"]);
    }

    #[test]
    fn screen_keys_keep_their_config_names() {
        use crate::model::ui::Screen;
        let o: BTreeMap<Action, Vec<String>> =
            toml::from_str(r#"screen_alerts = ["2", "A"]"#).unwrap();
        let km = Keymap::with_overrides(&o).unwrap();
        let alerts = Action::Screen(Screen::Alerts);
        assert_eq!(
            km.action_for(&key(KeyCode::Char('A'), KeyModifiers::SHIFT)),
            Some(alerts)
        );
        assert_eq!(km.keys_for(alerts), ["2", "A"]);
        assert_eq!(km.keys_for(Action::Screen(Screen::Timeline)), ["6"]);
        let err = toml::from_str::<BTreeMap<Action, Vec<String>>>(r#"screen_nope = ["7"]"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown variant") && err.contains("screen_timeline"),
            "{err}"
        );
    }

    #[test]
    fn bad_key_is_explained() {
        let mut o = BTreeMap::new();
        o.insert(Action::Quit, vec!["hyper-q".to_string()]);
        assert!(Keymap::with_overrides(&o).unwrap_err().contains("quit"));
    }
}
