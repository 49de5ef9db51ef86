//! Markdown tables whose rows always have the header's number of cells: the count is part of
//! the type, so no row can shift a column on GitHub.

/// A table being written: the header is out, rows follow. Cells are Markdown already made
/// safe (`escape`); a cell never holds a newline.
pub struct Table<'a, const N: usize> {
    out: &'a mut String,
}

impl<'a, const N: usize> Table<'a, N> {
    pub fn new(out: &'a mut String, header: [&str; N]) -> Table<'a, N> {
        let mut table = Table { out };
        table.line(header.iter().copied());
        table.line(std::iter::repeat_n("---", N));
        table
    }

    pub fn row(&mut self, cells: [String; N]) {
        self.line(cells.iter().map(String::as_str));
    }

    /// A row naming a group of the rows below it, in bold, its other cells empty.
    pub fn group(&mut self, title: &str) {
        let mut cells = std::array::from_fn(|_| String::new());
        cells[0] = format!("**{title}**");
        self.row(cells);
    }

    fn line<'s>(&mut self, cells: impl Iterator<Item = &'s str>) {
        self.out.push('|');
        for cell in cells {
            debug_assert!(!cell.contains('\n'), "a cell on two lines: {cell:?}");
            self.out.push(' ');
            self.out.push_str(cell);
            self.out.push_str(" |");
        }
        self.out.push('\n');
    }
}

impl<const N: usize> Drop for Table<'_, N> {
    /// A blank line ends the table, so the next paragraph is not read as a row.
    fn drop(&mut self) {
        self.out.push('\n');
    }
}
