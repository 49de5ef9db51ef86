//! What became of opening a link (`o`). The key handler flashes "opening …" while the opener
//! runs; this replaces it with what happened. When nothing could open the link (no opener, no
//! display over SSH, the opener failed), the URL goes to the clipboard instead (OSC 52 reaches
//! the user's own terminal over SSH) and the flash says both.

use super::flash;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::ui::FlashLevel;
use crate::msg::EffectOutcome;

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
