//! OSC 8 hyperlinks over cells already drawn. ratatui has no notion of links, so after a frame
//! the link cells are written again, the same symbols in the same colours, wrapped in
//! `ESC ] 8 ; ; URL ESC \` … `ESC ] 8 ; ; ESC \`. Terminals that know OSC 8 make them
//! clickable; the others ignore the sequence and show the same text. URLs come from the
//! catalog already filtered to `http(s)`/`mailto` and serialised by `url` (no control
//! characters can reach the terminal through them).

use super::Hyperlink;
use crossterm::style::{Attribute, Print, SetAttribute, SetBackgroundColor, SetForegroundColor};
use crossterm::{cursor::MoveTo, queue};
use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Whether to write them: off on the Linux console and dumb terminals, and when
/// `SITREP_NO_HYPERLINKS` is set (a terminal that prints OSC 8 as text).
pub fn enabled() -> bool {
    if std::env::var_os("SITREP_NO_HYPERLINKS").is_some() {
        return false;
    }
    !matches!(std::env::var("TERM").as_deref(), Ok("linux" | "dumb"))
}

/// The bytes that redraw `links` of `buf` as hyperlinks (empty when there are none).
pub fn bytes(links: &[Hyperlink], buf: &Buffer) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for link in links {
        if link.url.chars().any(char::is_control) {
            continue;
        }
        let _ = queue!(
            out,
            MoveTo(link.x, link.y),
            Print(format!("\x1b]8;;{}\x1b\\", link.url))
        );
        let mut x = link.x;
        while x < link.x.saturating_add(link.width) {
            let Some(cell) = buf.cell((x, link.y)) else {
                break;
            };
            // A wide glyph covers the next cell too: printing that cell would break it.
            let width = unicode_width(cell.symbol()).max(1);
            let _ = queue!(
                out,
                SetAttribute(Attribute::Reset),
                SetForegroundColor(color(cell.fg)),
                SetBackgroundColor(color(cell.bg)),
            );
            for (flag, attr) in [
                (Modifier::BOLD, Attribute::Bold),
                (Modifier::ITALIC, Attribute::Italic),
                (Modifier::UNDERLINED, Attribute::Underlined),
                (Modifier::DIM, Attribute::Dim),
                (Modifier::REVERSED, Attribute::Reverse),
            ] {
                if cell.modifier.contains(flag) {
                    let _ = queue!(out, SetAttribute(attr));
                }
            }
            let _ = queue!(out, Print(cell.symbol()));
            x = x.saturating_add(width);
        }
        let _ = queue!(out, Print("\x1b]8;;\x1b\\"), SetAttribute(Attribute::Reset));
    }
    out
}

fn unicode_width(symbol: &str) -> u16 {
    crate::ui::format::width(symbol).min(2) as u16
}

fn color(c: Color) -> crossterm::style::Color {
    c.into_crossterm()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn wraps_the_cells_in_osc8_and_keeps_their_text() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
        buf.set_string(2, 1, "docs", Style::default().fg(Color::Cyan));
        let links = [Hyperlink {
            x: 2,
            y: 1,
            width: 4,
            url: "https://docs.example.com/a".into(),
        }];
        let text = String::from_utf8(bytes(&links, &buf)).unwrap();
        assert!(
            text.starts_with("\x1b[2;3H\x1b]8;;https://docs.example.com/a\x1b\\"),
            "{text:?}"
        );
        assert!(text.contains('d') && text.contains("cs"));
        assert!(text.contains("\x1b]8;;\x1b\\"));
        let bad = [Hyperlink {
            url: "https://x/\x1b]0;pwned\x07".into(),
            ..links[0].clone()
        }];
        assert!(bytes(&bad, &buf).is_empty());
    }
}
