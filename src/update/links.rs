//! What became of opening a link (`o`). The key handler flashes "opening …" while the opener
//! runs; this replaces it with what happened. When nothing could open the link (no opener, no
//! display over SSH, the opener failed), the URL goes to the clipboard instead (OSC 52 reaches
//! the user's own terminal over SSH) and the flash says both.

use super::flash;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::popup::Popup;
use crate::model::ui::FlashLevel;
use crate::msg::EffectOutcome;
use crossterm::event::{KeyCode, KeyEvent};

/// `o` on a service: the links popup, or why there is nothing to open.
pub fn open_links(model: &mut Model, service: String) -> Vec<Effect> {
    let card = model.owner_card(&service);
    if card.links.is_empty() {
        let has_catalog =
            crate::model::permissions::has_source(model, crate::model::source::SourceKind::Catalog);
        let why = if !card.in_catalog {
            if !has_catalog {
                format!("nothing to open for {service}: no catalog configured (--catalog)")
            } else if model.catalog.is_empty() {
                format!("nothing to open for {service} yet: the catalog has not answered")
            } else {
                format!("nothing to open for {service}: it is not in the catalog")
            }
        } else {
            format!("nothing to open: {service}'s catalog entry has no links")
        };
        flash(model, FlashLevel::Info, why);
        return Vec::new();
    }
    model.popup = Some(Popup::Links {
        service,
        links: card.links,
        cursor: 0,
    });
    Vec::new()
}

/// The links popup: move, open (Enter, `o` or the link's number), copy (`y`), close.
pub fn on_links_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Links { links, cursor, .. }) = &mut model.popup else {
        return Vec::new();
    };
    let links = links.clone();
    let n = links.len();
    if n == 0 {
        model.popup = None;
        return Vec::new();
    }
    let pick = match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            model.popup = None;
            return Vec::new();
        }
        KeyCode::Down | KeyCode::Char('j') => {
            *cursor = (*cursor + 1).min(n - 1);
            return Vec::new();
        }
        KeyCode::Up | KeyCode::Char('k') => {
            *cursor = cursor.saturating_sub(1);
            return Vec::new();
        }
        KeyCode::Char('y') => {
            let link = &links[(*cursor).min(n - 1)];
            let url = link.url.clone();
            model.popup = None;
            flash(
                model,
                FlashLevel::Success,
                format!("sent to the terminal's clipboard (OSC 52): {url}"),
            );
            return vec![Effect::Copy(url)];
        }
        KeyCode::Enter | KeyCode::Char('o') => (*cursor).min(n - 1),
        KeyCode::Char(c @ '1'..='9') if (c as usize - '1' as usize) < n => {
            c as usize - '1' as usize
        }
        _ => return Vec::new(),
    };
    let link = &links[pick];
    let url = link.url.clone();
    model.popup = None;
    flash(
        model,
        FlashLevel::Info,
        format!("opening the {}: {url}", link.kind),
    );
    vec![Effect::OpenUrl(url)]
}

pub fn on_outcome(model: &mut Model, outcome: EffectOutcome) -> Vec<Effect> {
    let EffectOutcome::UrlOpen { url, result } = outcome else {
        return Vec::new();
    };
    match result {
        Ok(opener) => {
            flash(
                model,
                FlashLevel::Success,
                format!("opened with {opener}: {url}"),
            );
            Vec::new()
        }
        Err(why) => {
            flash(
                model,
                FlashLevel::Error,
                format!("can't open link: {why} · URL sent to clipboard (OSC 52): {url}"),
            );
            vec![Effect::Copy(url)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::model;
    use super::super::update;
    use crate::effect::Effect;
    use crate::model::ui::FlashLevel;
    use crate::msg::{EffectOutcome, Msg};

    const URL: &str = "http://prometheus.example/graph?g0.expr=up";

    fn done(result: Result<&str, &str>) -> Msg {
        Msg::Done(EffectOutcome::UrlOpen {
            url: URL.to_string(),
            result: result.map(str::to_string).map_err(str::to_string),
        })
    }

    #[test]
    fn a_failed_open_says_why_and_copies_the_url_instead() {
        let mut m = model();
        super::flash(&mut m, FlashLevel::Info, format!("opening {URL}"));
        let effects = update(&mut m, done(Err("xdg-open not installed (set $BROWSER)")));
        assert_eq!(effects, vec![Effect::Copy(URL.to_string())]);
        let flash = m.flash.expect("a flash");
        assert_eq!(flash.level, FlashLevel::Error);
        assert!(!flash.text.contains("opening"), "{}", flash.text);
        assert_eq!(
            flash.text,
            format!(
                "can't open link: xdg-open not installed (set $BROWSER) · URL sent to clipboard \
                 (OSC 52): {URL}"
            )
        );
    }

    #[test]
    fn a_successful_open_names_the_opener_and_copies_nothing() {
        let mut m = model();
        super::flash(&mut m, FlashLevel::Info, format!("opening {URL}"));
        let effects = update(&mut m, done(Ok("xdg-open")));
        assert!(effects.is_empty(), "{effects:?}");
        let flash = m.flash.expect("a flash");
        assert_eq!(flash.level, FlashLevel::Success);
        assert_eq!(flash.text, format!("opened with xdg-open: {URL}"));
    }
}
