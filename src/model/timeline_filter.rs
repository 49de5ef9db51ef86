//! The Timeline's filter: words match text (fuzzy, like every other screen), and a few
//! `field:value` words narrow by what the post-mortem author asks — `kind:note`,
//! `kind:alert` (a prefix of the kind), `source:user`, `service:checkout`, `starred` (★),
//! `incident` (recorded in the open incident).

use super::incident::IncidentState;
use super::text_match::TextQuery;
use super::timeline::{TimelineEvent, source_word};

pub struct TimelineFilter {
    kinds: Vec<String>,
    sources: Vec<String>,
    services: Vec<String>,
    starred: bool,
    incident: bool,
    text: Option<TextQuery>,
}

impl TimelineFilter {
    pub fn parse(filter: &str) -> TimelineFilter {
        let mut f = TimelineFilter {
            kinds: Vec::new(),
            sources: Vec::new(),
            services: Vec::new(),
            starred: false,
            incident: false,
            text: None,
        };
        let mut words = Vec::new();
        for word in filter.split_whitespace() {
            let lower = word.to_lowercase();
            let field = lower.split_once(':').or_else(|| lower.split_once('='));
            match field {
                Some(("kind", v)) if !v.is_empty() => f.kinds.push(v.to_string()),
                Some(("source", v)) if !v.is_empty() => f.sources.push(v.to_string()),
                Some(("service", v)) if !v.is_empty() => f.services.push(v.to_string()),
                _ if lower == "starred" || lower == "★" || lower == "is:starred" => {
                    f.starred = true
                }
                _ if lower == "incident" || lower == "is:incident" => f.incident = true,
                _ => words.push(word),
            }
        }
        if !words.is_empty() {
            f.text = Some(TextQuery::new(&words.join(" ")));
        }
        f
    }

    /// Does `e` pass? Each kind of field is an OR of its values; the fields AND together.
    pub fn matches(&mut self, e: &TimelineEvent, incident: &IncidentState) -> bool {
        let any = |values: &[String], have: &str| {
            values.is_empty() || values.iter().any(|v| have.starts_with(v.as_str()))
        };
        if !any(&self.kinds, e.kind.as_str())
            || !any(&self.sources, source_word(e.source))
            || !(self.services.is_empty()
                || self.services.iter().any(|s| {
                    e.refs
                        .service
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(s))
                }))
        {
            return false;
        }
        if self.starred && !incident.starred.contains(&e.id) {
            return false;
        }
        if self.incident && !(e.incident_id.is_some() || incident.recorded.contains(&e.id)) {
            return false;
        }
        match &mut self.text {
            Some(text) => text.matches(
                [
                    e.kind.as_str(),
                    source_word(e.source),
                    e.actor.as_str(),
                    e.refs.service.as_deref().unwrap_or(""),
                    e.refs.app.as_deref().unwrap_or(""),
                    e.summary.as_str(),
                ]
                .into_iter(),
            ),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::{EventKind, EventSource};
    use chrono::Utc;

    fn ev(
        kind: EventKind,
        source: EventSource,
        service: Option<&str>,
        summary: &str,
    ) -> TimelineEvent {
        let mut e = TimelineEvent::new(kind, source, Utc::now(), Utc::now(), summary);
        e.id = summary.to_string();
        e.refs.service = service.map(str::to_string);
        e
    }

    #[test]
    fn fields_narrow_and_words_match_text() {
        let mut inc = IncidentState::default();
        inc.starred.insert("rolled back".into());
        let note = ev(
            EventKind::Note,
            EventSource::User,
            Some("checkout"),
            "rolled back",
        );
        let alert = ev(
            EventKind::AlertFiring,
            EventSource::Alertmanager,
            Some("checkout"),
            "HighErrorRate",
        );
        let other = ev(
            EventKind::AlertFiring,
            EventSource::Alertmanager,
            Some("billing"),
            "Lag",
        );
        let pass = |f: &str, e: &TimelineEvent| TimelineFilter::parse(f).matches(e, &inc);
        assert!(pass("kind:note", &note) && !pass("kind:note", &alert));
        assert!(pass("kind:alert", &alert), "a prefix of the kind");
        assert!(pass("source:user", &note) && !pass("source=user", &alert));
        assert!(pass("service:checkout", &alert) && !pass("service:checkout", &other));
        assert!(pass("starred", &note) && !pass("★", &alert));
        assert!(
            pass("kind:alert high", &alert) && !pass("kind:alert lag service:checkout", &other)
        );
        assert!(
            pass("kind:note kind:alert", &alert),
            "values of one field: any"
        );
        assert!(!pass("incident", &alert));
    }
}
