//! Silences, by the safety rules: the form shows exactly what will be sent, `y` confirms, one
//! request at a time, never retried, every attempt and result on the timeline.

use super::keys::selected_alert;
use super::{flash, push_event};
use crate::effect::Effect;
use crate::model::alerts_view::AlertsRow;
use crate::model::permissions;
use crate::model::popup::{
    ExpireForm, FormStage, Popup, SILENCE_PRESETS, SilenceField, SilenceForm,
};
use crate::model::silence::{Matcher, NewSilence, Silence};
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::{FlashLevel, Screen};
use crate::model::{Model, PendingAction};
use crate::msg::EffectOutcome;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;
use serde_json::json;

/// `s`: silence the selection, or, when it is already silenced, offer to expire its silence.
pub fn open(model: &mut Model) -> Vec<Effect> {
    if let Some(denied) = permissions::silence_now_denied(model) {
        flash(model, FlashLevel::Info, denied.message);
        return Vec::new();
    }
    let targets = permissions::silence_targets(model);
    // A group row on the Alerts screen silences the whole group by its group_by labels.
    let group_matchers = match (
        model.screen,
        model.alerts_view.rows.get(model.alerts_cursor.selected),
    ) {
        (Screen::Alerts, Some(AlertsRow::Group(g))) => Some(
            g.labels
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| Matcher::equal(k, v))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let Some(alert) = selected_alert(model) else {
        flash(
            model,
            FlashLevel::Info,
            "select an alert or group to silence",
        );
        return Vec::new();
    };
    if group_matchers.is_none()
        && let Some(silence) = alert
            .silenced_by
            .iter()
            .find_map(|id| model.silences.get(id))
    {
        let silence = silence.clone();
        let affected = count_affected(model, &silence.matchers);
        model.popup = Some(Popup::Expire(ExpireForm {
            silence,
            affected,
            stage: FormStage::Confirm,
        }));
        return Vec::new();
    }
    let matchers = group_matchers.unwrap_or_else(|| {
        alert
            .labels
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| Matcher::equal(k, v))
            .collect()
    });
    let source = if targets.contains(&alert.source) {
        alert.source.clone()
    } else {
        targets[0].clone()
    };
    let line = matchers
        .iter()
        .map(Matcher::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut matchers_area = TextArea::new(vec![line]);
    matchers_area.move_cursor(ratatui_textarea::CursorMove::End);
    let mut comment = TextArea::default();
    comment.set_placeholder_text("why? (required; e.g. \"deploying fix, ticket OPS-123\")");
    for area in [&mut matchers_area, &mut comment] {
        themed(area, &model.theme);
    }
    let form = SilenceForm {
        source,
        targets,
        matchers: matchers_area,
        parsed: Ok(matchers),
        affected: 0,
        duration: 1,
        comment,
        author: model.settings.author.clone(),
        field: SilenceField::Comment,
        stage: FormStage::Edit,
        problem: None,
    };
    model.popup = Some(Popup::Silence(Box::new(form)));
    revalidate(model);
    Vec::new()
}

/// The editor's own defaults are hard-coded colours: take every style from the theme instead,
/// so NO_COLOR and the light theme stay readable.
pub(super) fn themed(area: &mut TextArea<'static>, theme: &crate::config::theme::Theme) {
    area.set_style(theme.text);
    area.set_cursor_line_style(theme.text);
    area.set_placeholder_style(theme.muted);
    area.set_selection_style(theme.selection);
    area.set_cursor_style(theme.text.add_modifier(ratatui::style::Modifier::REVERSED));
}

fn parse_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let f = crate::model::alerts_view::AlertFilter::parse(text);
    if let Some(e) = f.errors.first() {
        // A silence is created from exactly what is typed: nothing may be left out.
        return Err(e.clone());
    }
    if !f.text.is_empty() {
        return Err(format!(
            "`{}` is not a matcher: write name=\"value\"",
            f.text
        ));
    }
    let matchers: Vec<Matcher> = f.matchers.into_iter().map(|m| m.matcher).collect();
    if matchers.is_empty() {
        return Err("at least one matcher is needed".to_string());
    }
    // Alertmanager refuses a silence whose every matcher also matches the empty string.
    let empty = crate::model::alert::Labels::new();
    if matchers.iter().all(|m| m.compile().matches(&empty)) {
        return Err(
            "every matcher matches the empty string: it would silence everything".to_string(),
        );
    }
    Ok(matchers)
}

fn count_affected(model: &Model, matchers: &[Matcher]) -> usize {
    let compiled: Vec<_> = matchers.iter().map(Matcher::compile).collect();
    model
        .alerts
        .iter()
        .filter(|a| compiled.iter().all(|m| m.matches(&a.labels)))
        .count()
}

/// Re-parse the matchers and recount the alerts they select after an edit.
pub fn revalidate(model: &mut Model) {
    let Some(Popup::Silence(form)) = &model.popup else {
        return;
    };
    let parsed = parse_matchers(&form.matchers.lines().join(" "));
    let affected = parsed
        .as_ref()
        .map(|m| count_affected(model, m))
        .unwrap_or(0);
    if let Some(Popup::Silence(form)) = &mut model.popup {
        form.parsed = parsed;
        form.affected = affected;
        form.problem = None;
    }
}

pub fn paste(form: &mut SilenceForm, text: &str) {
    match form.field {
        SilenceField::Matchers => {
            form.matchers.insert_str(text);
        }
        SilenceField::Comment => {
            form.comment.insert_str(text);
        }
        _ => {}
    }
}

fn next_field(form: &SilenceForm, back: bool) -> SilenceField {
    let mut order = vec![
        SilenceField::Matchers,
        SilenceField::Duration,
        SilenceField::Comment,
    ];
    if form.targets.len() > 1 {
        order.insert(0, SilenceField::Target);
    }
    let pos = order.iter().position(|f| *f == form.field).unwrap_or(0);
    let n = order.len();
    order[if back {
        (pos + n - 1) % n
    } else {
        (pos + 1) % n
    }]
}

pub fn on_form_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Silence(form)) = &mut model.popup else {
        return Vec::new();
    };
    match form.stage {
        FormStage::InFlight(_) => {
            // The request is out; Esc hides the popup, the result still arrives.
            if key.code == KeyCode::Esc {
                model.popup = None;
            }
            Vec::new()
        }
        FormStage::Confirm => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => submit(model),
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Backspace => {
                form.stage = FormStage::Edit;
                Vec::new()
            }
            _ => Vec::new(),
        },
        FormStage::Edit => {
            match key.code {
                KeyCode::Esc => model.popup = None,
                KeyCode::Tab => form.field = next_field(form, false),
                KeyCode::BackTab => form.field = next_field(form, true),
                KeyCode::Enter
                    if !(form.field == SilenceField::Comment
                        && key.modifiers.contains(KeyModifiers::ALT)) =>
                {
                    if form.field == SilenceField::Comment {
                        ask_confirmation(model);
                    } else {
                        form.field = next_field(form, false);
                    }
                    return Vec::new();
                }
                _ => match form.field {
                    SilenceField::Target => {
                        let pos = form
                            .targets
                            .iter()
                            .position(|t| *t == form.source)
                            .unwrap_or(0);
                        let n = form.targets.len();
                        match key.code {
                            KeyCode::Left | KeyCode::Char('h') => {
                                form.source = form.targets[(pos + n - 1) % n].clone()
                            }
                            KeyCode::Right | KeyCode::Char('l') => {
                                form.source = form.targets[(pos + 1) % n].clone()
                            }
                            _ => {}
                        }
                    }
                    SilenceField::Duration => match key.code {
                        KeyCode::Left | KeyCode::Char('h') | KeyCode::Char('-') => {
                            form.duration = form.duration.saturating_sub(1)
                        }
                        KeyCode::Right | KeyCode::Char('l') | KeyCode::Char('+') => {
                            form.duration = (form.duration + 1).min(SILENCE_PRESETS.len() - 1)
                        }
                        _ => {}
                    },
                    SilenceField::Matchers => {
                        form.matchers.input(key);
                        revalidate(model);
                    }
                    SilenceField::Comment => {
                        if key.code == KeyCode::Enter {
                            form.comment.insert_newline();
                        } else {
                            form.comment.input(key);
                        }
                    }
                },
            }
            Vec::new()
        }
    }
}

/// Check the form; if complete, show it back for confirmation.
fn ask_confirmation(model: &mut Model) {
    let Some(Popup::Silence(form)) = &mut model.popup else {
        return;
    };
    let comment = form.comment.lines().join("\n");
    form.problem = match &form.parsed {
        Err(e) => Some(format!("matchers: {e}")),
        Ok(_) if comment.trim().is_empty() => {
            Some("a comment is required: say why, for the people who come after".to_string())
        }
        Ok(_) => None,
    };
    if form.problem.is_none() {
        form.stage = FormStage::Confirm;
    } else if form.parsed.is_err() {
        form.field = SilenceField::Matchers;
    }
}

/// The silence the form describes, as it will be sent.
fn silence_from_form(form: &SilenceForm, now: chrono::DateTime<chrono::Utc>) -> Option<NewSilence> {
    let matchers = form.parsed.clone().ok()?;
    let secs = SILENCE_PRESETS.get(form.duration)?.1;
    Some(NewSilence {
        matchers,
        starts_at: now,
        ends_at: now + chrono::Duration::seconds(secs),
        created_by: form.author.clone(),
        comment: crate::sanitize::clean_text(form.comment.lines().join("\n").trim(), 4096),
    })
}

fn submit(model: &mut Model) -> Vec<Effect> {
    let now = model.now;
    let request_id = model.next_request_id;
    let Some(Popup::Silence(form)) = &mut model.popup else {
        return Vec::new();
    };
    let Some(silence) = silence_from_form(form, now) else {
        return Vec::new();
    };
    let source = form.source.clone();
    form.stage = FormStage::InFlight(request_id);
    model.next_request_id += 1;
    model.in_flight.insert(
        request_id,
        PendingAction::silence(format!("silence create on {source}")),
    );
    let matchers = silence
        .matchers
        .iter()
        .map(Matcher::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut e = TimelineEvent::new(
        EventKind::ActionAttempted,
        EventSource::User,
        now,
        now,
        format!(
            "silence requested on {source}: {matchers} for {}",
            SILENCE_PRESETS[form.duration].0
        ),
    );
    e.actor = silence.created_by.clone();
    e.body = silence.comment.clone();
    e.details = json!({"action": "silence.create", "request_id": request_id, "source": source, "silence": silence});
    push_event(model, e);
    vec![Effect::CreateSilence {
        request_id,
        source,
        silence,
    }]
}

pub fn on_expire_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Expire(form)) = &mut model.popup else {
        return Vec::new();
    };
    match (form.stage, key.code) {
        (FormStage::Confirm, KeyCode::Char('y') | KeyCode::Char('Y')) => {
            let request_id = model.next_request_id;
            model.next_request_id += 1;
            form.stage = FormStage::InFlight(request_id);
            let Silence { id, source, .. } = form.silence.clone();
            model.in_flight.insert(
                request_id,
                PendingAction::silence(format!("silence expire {id}")),
            );
            let mut e = TimelineEvent::new(
                EventKind::ActionAttempted,
                EventSource::User,
                model.now,
                model.now,
                format!("expire silence {id} on {source} requested"),
            );
            e.actor = model.settings.author.clone();
            e.details = json!({"action": "silence.expire", "request_id": request_id, "source": source, "silence_id": id});
            push_event(model, e);
            vec![Effect::ExpireSilence {
                request_id,
                source,
                silence_id: id,
            }]
        }
        (_, KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q')) => {
            model.popup = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A mutation's result: close its form, tell the user, record it, fetch fresh state.
pub fn on_outcome(model: &mut Model, outcome: EffectOutcome) -> Vec<Effect> {
    let (request_id, source) = match &outcome {
        EffectOutcome::SilenceCreated {
            request_id, source, ..
        }
        | EffectOutcome::SilenceExpired {
            request_id, source, ..
        }
        | EffectOutcome::MutationFailed {
            request_id, source, ..
        } => (*request_id, source.clone()),
        // Argo CD results are routed to `argocd::on_outcome`, links to `links::on_outcome`.
        // Runbook commands are routed to `runbook::on_outcome`.
        EffectOutcome::AppActionDone { .. }
        | EffectOutcome::KubeActionDone { .. }
        | EffectOutcome::Logs { .. }
        | EffectOutcome::UrlOpen { .. }
        | EffectOutcome::CommandFinished(_) => return Vec::new(),
    };
    let what = model
        .in_flight
        .remove(&request_id)
        .map(|p| p.what)
        .unwrap_or_else(|| "request".to_string());
    let popup_request = match &model.popup {
        Some(Popup::Silence(f)) => match f.stage {
            FormStage::InFlight(id) => Some(id),
            _ => None,
        },
        Some(Popup::Expire(f)) => match f.stage {
            FormStage::InFlight(id) => Some(id),
            _ => None,
        },
        _ => None,
    };
    let (kind, summary, level) = match &outcome {
        EffectOutcome::SilenceCreated { silence_id, .. } => (
            EventKind::ActionSucceeded,
            format!("silence {silence_id} created on {source}"),
            FlashLevel::Success,
        ),
        EffectOutcome::SilenceExpired { silence_id, .. } => (
            EventKind::ActionSucceeded,
            format!("silence {silence_id} expired on {source}"),
            FlashLevel::Success,
        ),
        EffectOutcome::MutationFailed { error, .. } => (
            EventKind::ActionFailed,
            format!("{what} failed: {error}"),
            FlashLevel::Error,
        ),
        EffectOutcome::AppActionDone { .. }
        | EffectOutcome::KubeActionDone { .. }
        | EffectOutcome::Logs { .. }
        | EffectOutcome::UrlOpen { .. }
        | EffectOutcome::CommandFinished(_) => return Vec::new(),
    };
    if popup_request == Some(request_id) {
        match (&outcome, &mut model.popup) {
            // Keep the form so the user can read the server's words, fix and resend by hand.
            (EffectOutcome::MutationFailed { error, .. }, Some(Popup::Silence(form))) => {
                form.stage = FormStage::Edit;
                form.problem = Some(format!("{source} refused: {error}"));
            }
            _ => model.popup = None,
        }
    }
    let mut e = TimelineEvent::new(
        kind,
        EventSource::User,
        model.now,
        model.now,
        summary.clone(),
    );
    e.actor = model.settings.author.clone();
    e.highlight = kind == EventKind::ActionFailed;
    e.details = json!({"request_id": request_id, "source": source});
    push_event(model, e);
    flash(model, level, summary);
    match outcome {
        EffectOutcome::MutationFailed { .. } => Vec::new(),
        _ => vec![Effect::Refresh { source }],
    }
}
