//! `[notify]`: the file's words checked and turned into `NotifySettings`.

use super::file::NotifySection;
use super::load::ConfigError;
use crate::notify::settings::{DesktopMode, NotifySettings, parse_min_severity};

/// More than one a second would be noise, not notification.
const MAX_PER_MINUTE: i64 = 60;

pub(crate) fn resolve(
    section: &NotifySection,
    at: &impl Fn(std::ops::Range<usize>) -> String,
) -> Result<NotifySettings, ConfigError> {
    let mut settings = NotifySettings::default();
    if let Some(enabled) = section.enabled {
        settings.enabled = enabled;
    }
    if let Some(terminal) = section.terminal {
        settings.terminal = terminal;
    }
    if let Some(word) = &section.min_severity {
        settings.min_severity = parse_min_severity(word.get_ref()).ok_or_else(|| {
            ConfigError(format!(
                "{}: min_severity = {:?} is not a severity that notifies\n  fix: use \"critical\" (the default) or \"warning\"",
                at(word.span()),
                word.get_ref()
            ))
        })?;
    }
    if let Some(word) = &section.desktop {
        settings.desktop = DesktopMode::parse(word.get_ref()).ok_or_else(|| {
            ConfigError(format!(
                "{}: desktop = {:?} is not a desktop mode\n  fix: use one of {}",
                at(word.span()),
                word.get_ref(),
                DesktopMode::NAMES.map(|n| format!("\"{n}\"")).join(", ")
            ))
        })?;
    }
    if let Some(n) = &section.per_minute {
        let value = *n.get_ref();
        if !(1..=MAX_PER_MINUTE).contains(&value) {
            return Err(ConfigError(format!(
                "{}: per_minute = {value} is out of range\n  fix: a number from 1 to {MAX_PER_MINUTE} (default 6)",
                at(n.span())
            )));
        }
        settings.per_minute = value as u32;
    }
    Ok(settings)
}
