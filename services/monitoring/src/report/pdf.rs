//! The Rapporto as PDF/A-2b, typeset in-process by typst from `templates/rapporto.typ`, the
//! report's Italian view (as `data.json`) and its charts (SVG). The fonts are the Liberation Sans
//! shipped in `fonts/` (SIL OFL 1.1), embedded in every PDF; nothing is read from disk at run
//! time. The same view and issue date give the same bytes.

use std::sync::OnceLock;

use apq_platform::ApiError;
use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::view::View;

const TEMPLATE: &str = include_str!("../../templates/rapporto.typ");
const FONTS: [&[u8]; 3] = [
    include_bytes!("../../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../fonts/LiberationSans-Italic.ttf"),
];

/// The library and fonts, loaded once per process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// One compilation: the template, the view and the charts, nothing else.
struct ReportWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
    today: NaiveDate,
}

fn id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().to_path_buf()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            u8::try_from(self.today.month()).ok()?,
            u8::try_from(self.today.day()).ok()?,
        )
    }
}

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether the fonts can show `c` (PDF/A refuses a glyph it does not embed).
fn shown(c: char) -> bool {
    c == '\n'
        || (!c.is_control()
            && shared()
                .fonts
                .iter()
                .any(|font| font.info().coverage.contains(u32::from(c))))
}

/// Text as entered may hold what the fonts cannot show (control characters, scripts outside
/// Liberation Sans): each such character is printed as "?", so the PDF/A stays valid.
fn printable(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) if !text.chars().all(shown) => {
            *text = text
                .chars()
                .map(|c| if shown(c) { c } else { '?' })
                .collect();
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(printable),
        serde_json::Value::Object(map) => map.values_mut().for_each(printable),
        _ => {}
    }
}

/// Typesets the view as PDF/A-2b, dated `on` (the issue date, or today for a draft).
pub fn render(view: &View, charts: &[String], on: NaiveDate) -> Result<Vec<u8>, ApiError> {
    let mut data = serde_json::to_value(view).map_err(ApiError::internal)?;
    printable(&mut data);
    let data = serde_json::to_vec(&data).map_err(ApiError::internal)?;
    let mut files = vec![(id("/data.json"), Bytes::new(data))];
    for (i, chart) in charts.iter().enumerate() {
        files.push((
            id(&format!("/chart-{i}.svg")),
            Bytes::new(chart.clone().into_bytes()),
        ));
    }
    let world = ReportWorld {
        main: Source::new(id("/rapporto.typ"), TEMPLATE.to_owned()),
        files,
        today: on,
    };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| {
        ApiError::internal(anyhow::anyhow!(
            "typesetting the report: {}",
            diagnostics(&errors)
        ))
    })?;
    let standards = PdfStandards::new(&[PdfStandard::A_2b])
        .map_err(|e| ApiError::internal(anyhow::anyhow!("PDF/A-2b: {e}")))?;
    let timestamp = Datetime::from_ymd_hms(
        on.year(),
        u8::try_from(on.month()).unwrap_or(1),
        u8::try_from(on.day()).unwrap_or(1),
        12,
        0,
        0,
    )
    .map(Timestamp::new_utc);
    let ident = format!("apq-rapporto-{}-{}", view.semester_code, view.status);
    let options = PdfOptions {
        ident: Smart::Custom(&ident),
        timestamp,
        standards,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
        ApiError::internal(anyhow::anyhow!(
            "writing the PDF/A: {}",
            diagnostics(&errors)
        ))
    });
    // typst memoizes across compilations in a process-wide cache: keep only what the last few
    // reports used, so a long-running service does not grow with every report it typesets.
    comemo::evict(10);
    pdf
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn text_the_fonts_cannot_show_is_printed_as_a_question_mark() {
        let mut data = json!({
            "note": "Città: 1.892.850,00 € «ok»\n\u{1}\u{31ad4}",
            "items": [{"obstacles": "\u{e}fine"}],
            "sal": 50
        });
        super::printable(&mut data);
        assert_eq!(
            data,
            json!({
                "note": "Città: 1.892.850,00 € «ok»\n??",
                "items": [{"obstacles": "?fine"}],
                "sal": 50
            })
        );
    }
}
