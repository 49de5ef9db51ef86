//! The Drift screen: groups → apps → resources with the coloured diff.

use crate::model::Model;
use crate::screens::Hints;
use crate::ui::RenderState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub fn hints(_model: &Model, _h: &mut Hints) {}

pub fn draw(_model: &Model, _state: &mut RenderState, _area: Rect, _buf: &mut Buffer) {}
