//! The report's pictures, drawn by plotters as SVG: SAL per intervento against plan, tranches
//! planned and paid, indicators against target. Each has a title, labelled axes and a legend;
//! labels are Italian numbers (never `-0,00`). f64 is used for geometry only: the figures come
//! from the report's decimals and are printed with the Italian formatting functions.

use plotters::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::data::ReportData;
use super::format as it;

/// The font the charts ask for; the PDF embeds it, a browser falls back to a sans-serif.
const FONT: &str = "Liberation Sans";
const BLUE: RGBColor = RGBColor(31, 111, 178);
const GREY: RGBColor = RGBColor(160, 160, 160);
const GREEN: RGBColor = RGBColor(39, 130, 67);
const RED: RGBColor = RGBColor(192, 57, 43);

/// One group of two bars: a label, the measured value and its reference (absent when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub label: String,
    pub value: Option<f64>,
    pub reference: Option<f64>,
}

/// A chart to draw.
#[derive(Debug, Clone)]
pub struct Spec {
    pub title: String,
    pub y_label: String,
    pub value_name: String,
    pub reference_name: String,
    pub pairs: Vec<Pair>,
    /// How an axis value is printed.
    pub unit: Unit,
    /// Shown in the plot when nothing is measured.
    pub empty_note: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Percent,
    /// Thousands of euro.
    ThousandEuro,
}

fn f(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

fn dec(text: &str) -> Option<Decimal> {
    text.trim().parse().ok()
}

/// Prints an axis value the Italian way, never `-0`.
pub fn axis_label(value: f64, unit: Unit) -> String {
    let value = if value.abs() < 1e-9 { 0.0 } else { value };
    let decimal = Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(0);
    match unit {
        Unit::Percent => format!("{}%", it::number(decimal, 0)),
        Unit::ThousandEuro => it::number(decimal, 0),
    }
}

/// Prints a bar's value: percentages with one decimal (`42,5%`), thousands of euro whole.
pub fn bar_label(value: f64, unit: Unit) -> String {
    let value = if value.abs() < 1e-9 { 0.0 } else { value };
    let decimal = Decimal::from_f64_retain(value).unwrap_or_default();
    match unit {
        Unit::Percent => format!("{}%", it::number(decimal, 1)),
        Unit::ThousandEuro => it::number(decimal, 0),
    }
}

pub fn sal_spec(report: &ReportData) -> Spec {
    Spec {
        title: "SAL per intervento: rilevato e previsto".to_owned(),
        y_label: "SAL (% del valore delle attività)".to_owned(),
        value_name: "SAL rilevato".to_owned(),
        reference_name: "SAL previsto".to_owned(),
        pairs: report
            .interventi
            .iter()
            .map(|i| Pair {
                label: i.intervento.code.clone(),
                value: i.scheda.as_ref().map(|s| f(s.sal.decimal())),
                reference: i
                    .scheda
                    .as_ref()
                    .and_then(|s| s.planned_sal)
                    .map(|p| f(p.decimal())),
            })
            .collect(),
        unit: Unit::Percent,
        empty_note: "Nessuna scheda di monitoraggio per il semestre".to_owned(),
    }
}

pub fn tranche_spec(report: &ReportData) -> Spec {
    Spec {
        title: "Tranche del cofinanziamento CNIPA: previste ed erogate".to_owned(),
        y_label: "migliaia di euro".to_owned(),
        value_name: "Erogate".to_owned(),
        reference_name: "Previste".to_owned(),
        pairs: report
            .interventi
            .iter()
            .map(|i| {
                let thousands = |states: &[&str]| -> f64 {
                    let sum: Decimal = i
                        .finance
                        .tranches
                        .iter()
                        .filter(|t| states.is_empty() || states.contains(&t.state.as_str()))
                        .map(|t| t.amount.decimal())
                        .sum();
                    f(sum / Decimal::ONE_THOUSAND)
                };
                Pair {
                    label: i.intervento.code.clone(),
                    value: Some(thousands(&["paid"])),
                    reference: Some(thousands(&[])),
                }
            })
            .collect(),
        unit: Unit::ThousandEuro,
        empty_note: "Nessuna tranche prevista".to_owned(),
    }
}

pub fn indicator_spec(report: &ReportData) -> Spec {
    Spec {
        title: "Indicatori: valore rilevato in percentuale del target".to_owned(),
        y_label: "% del target".to_owned(),
        value_name: "Rilevato".to_owned(),
        reference_name: "Target (100%)".to_owned(),
        pairs: report
            .indicators
            .iter()
            .filter_map(|ind| {
                let target = ind
                    .target
                    .as_deref()
                    .and_then(dec)
                    .filter(|t| *t > Decimal::ZERO)?;
                let value = ind.latest.as_deref().and_then(dec)?;
                Some(Pair {
                    label: ind.code.clone(),
                    value: it::ratio(value, target).map(f),
                    reference: Some(100.0),
                })
            })
            .collect(),
        unit: Unit::Percent,
        empty_note: "Nessun indicatore con target definito è stato rilevato".to_owned(),
    }
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn draw_into(spec: &Spec, out: &mut String) -> DrawResult<()> {
    let width = 760u32;
    let height = 380u32;
    let root = SVGBackend::with_string(out, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let max = spec
        .pairs
        .iter()
        .flat_map(|p| [p.value, p.reference])
        .flatten()
        .fold(0.0_f64, f64::max);
    let top = match spec.unit {
        // Room above the bars for the legend.
        Unit::Percent => (max.max(100.0) * 1.3 / 10.0).ceil() * 10.0,
        Unit::ThousandEuro => (max.max(1.0) * 1.3).ceil(),
    };
    let groups = spec.pairs.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(&spec.title, (FONT, 20).into_font())
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..groups as f64, 0.0..top)?;
    let unit = spec.unit;
    let labels: Vec<String> = spec.pairs.iter().map(|p| p.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups * 2 + 1)
        .x_label_formatter(&|x| {
            let centre = x - x.floor();
            if (centre - 0.5).abs() < 0.01 {
                labels.get(x.floor() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| axis_label(*y, unit))
        .y_desc(&spec.y_label)
        .x_desc("Intervento o indicatore")
        .label_style((FONT, 14).into_font())
        .axis_desc_style((FONT, 14).into_font())
        .draw()?;
    let value_bars = spec.pairs.iter().enumerate().filter_map(|(i, p)| {
        let x = i as f64;
        p.value
            .map(|v| Rectangle::new([(x + 0.12, 0.0), (x + 0.48, v)], BLUE.filled()))
    });
    chart
        .draw_series(value_bars)?
        .label(&spec.value_name)
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], BLUE.filled()));
    let reference_bars = spec.pairs.iter().enumerate().filter_map(|(i, p)| {
        let x = i as f64;
        p.reference
            .map(|v| Rectangle::new([(x + 0.52, 0.0), (x + 0.88, v)], GREY.filled()))
    });
    chart
        .draw_series(reference_bars)?
        .label(&spec.reference_name)
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], GREY.filled()));
    let value_labels = spec.pairs.iter().enumerate().filter_map(|(i, p)| {
        p.value.map(|v| {
            Text::new(
                bar_label(v, unit),
                (i as f64 + 0.14, v + top * 0.04),
                (FONT, 12).into_font().color(&GREEN),
            )
        })
    });
    chart.draw_series(value_labels)?;
    // A value that is not known is said so, never drawn as zero.
    let unknown = spec
        .pairs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.value.is_none())
        .map(|(i, _)| {
            Text::new(
                "non rilevato".to_owned(),
                (i as f64 + 0.12, top * 0.04),
                (FONT, 12).into_font().color(&RED),
            )
        });
    chart.draw_series(unknown)?;
    if spec.pairs.iter().all(|p| p.value.is_none()) {
        chart.draw_series(std::iter::once(Text::new(
            spec.empty_note.clone(),
            (0.05, top * 0.55),
            (FONT, 15).into_font().color(&RED),
        )))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 14).into_font())
        .draw()?;
    root.present()?;
    Ok(())
}

/// The chart as an SVG document.
pub fn svg(spec: &Spec) -> Result<String, apq_platform::ApiError> {
    let mut out = String::new();
    draw_into(spec, &mut out)
        .map_err(|e| apq_platform::ApiError::internal(anyhow::anyhow!("chart: {e}")))?;
    Ok(out)
}

/// The report's three charts, in order: SAL, tranches, indicators.
pub fn all(report: &ReportData) -> Result<Vec<String>, apq_platform::ApiError> {
    [
        sal_spec(report),
        tranche_spec(report),
        indicator_spec(report),
    ]
    .iter()
    .map(svg)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_are_italian_and_never_negative_zero() {
        for (value, unit, expected) in [
            (-0.0, Unit::Percent, "0%"),
            (-0.000001, Unit::ThousandEuro, "0"),
            (50.0, Unit::Percent, "50%"),
            (1892.85, Unit::ThousandEuro, "1.893"),
            (584.74576, Unit::ThousandEuro, "585"),
        ] {
            assert_eq!(axis_label(value, unit), expected, "{value}");
        }
        for (value, unit, expected) in [
            (42.5, Unit::Percent, "42,5%"),
            (-0.0, Unit::Percent, "0,0%"),
            (584.74576, Unit::ThousandEuro, "585"),
        ] {
            assert_eq!(bar_label(value, unit), expected, "{value}");
        }
    }

    #[test]
    fn a_chart_has_its_title_legend_and_axes() {
        let spec = Spec {
            title: "SAL per intervento: rilevato e previsto".to_owned(),
            y_label: "SAL".to_owned(),
            value_name: "SAL rilevato".to_owned(),
            reference_name: "SAL previsto".to_owned(),
            pairs: vec![Pair {
                label: "CSTT-ALI".to_owned(),
                value: Some(42.5),
                reference: Some(60.0),
            }],
            unit: Unit::Percent,
            empty_note: String::new(),
        };
        let svg = svg(&spec).unwrap_or_default();
        for text in [
            "SAL per intervento",
            "SAL rilevato",
            "SAL previsto",
            "CSTT-ALI",
            "100%",
        ] {
            assert!(svg.contains(text), "{text} in the chart");
        }
        assert!(!svg.contains(">-0"), "no negative zero");
    }
}
