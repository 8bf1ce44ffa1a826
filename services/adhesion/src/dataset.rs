//! The shipped registry: every Italian comune from ISTAT / Openpolis (CC BY 4.0), each province
//! and the Regione Toscana. The seed does not name the comuni that adhered, so no adhesion is
//! invented. Idempotent.

use std::collections::BTreeMap;

use apq_domain::IstatCode;
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::enti;

pub const COMUNI_CSV: &str = include_str!("../dataset/comuni-italia-2023.csv");

/// The Tuscan comuni merged away since 2005, from ANPR's archive (see `dataset/README.md`).
pub const CEASED_JSON: &str = include_str!("../dataset/comuni-cessati-toscana.json");

#[derive(Debug, Clone, serde::Deserialize)]
pub struct CeasedComune {
    /// The cadastral (Belfiore) code: the archive gives no ISTAT code, so it is the body's code.
    pub code: String,
    pub name: String,
    pub province_short: String,
    pub province_code: String,
    pub existed_from: chrono::NaiveDate,
    pub ceased_on: chrono::NaiveDate,
}

#[derive(Debug, Clone, serde::Deserialize)]
struct CeasedFile {
    comuni: Vec<CeasedComune>,
}

pub fn ceased() -> anyhow::Result<Vec<CeasedComune>> {
    Ok(serde_json::from_str::<CeasedFile>(CEASED_JSON)?.comuni)
}

/// The comuni that ceased, each once (idempotent on its code).
fn load_ceased(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let rows: Vec<_> = ceased()?
        .into_iter()
        .map(|c| {
            (
                enti::id.eq(Uuid::new_v4()),
                enti::code.eq(c.code.clone()),
                enti::kind.eq("comune"),
                enti::name.eq(c.name),
                enti::province_code.eq(Some(c.province_code)),
                enti::province_short.eq(Some(c.province_short)),
                enti::region_code.eq(Some("09")),
                enti::cadastral_code.eq(Some(c.code)),
                enti::existed_from.eq(Some(c.existed_from)),
                enti::ceased_on.eq(Some(c.ceased_on)),
            )
        })
        .collect();
    Ok(diesel::insert_into(enti::table)
        .values(rows)
        .on_conflict(enti::code)
        .do_nothing()
        .execute(conn)?)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comune {
    pub istat: IstatCode,
    pub name: String,
    pub province_code: String,
    pub province: String,
    pub province_short: String,
    pub region_code: String,
    pub region: String,
    pub cadastral_code: String,
    pub population: i32,
}

/// One line of the ISTAT list, as the file names its columns.
#[derive(Debug, serde::Deserialize)]
struct ComuneRecord {
    istat_code: String,
    name: String,
    province_code: String,
    province: String,
    province_short: String,
    region_code: String,
    region: String,
    cadastral_code: String,
    population_2023: i32,
}

const COMUNI_HEADER: [&str; 9] = [
    "istat_code",
    "name",
    "province_code",
    "province",
    "province_short",
    "region_code",
    "region",
    "cadastral_code",
    "population_2023",
];

/// Parses the ISTAT list (RFC 4180 through the `csv` crate; the header must be the expected one).
pub fn comuni() -> anyhow::Result<Vec<Comune>> {
    let mut reader = csv::Reader::from_reader(COMUNI_CSV.as_bytes());
    let header = reader.headers()?.clone();
    anyhow::ensure!(
        header.iter().eq(COMUNI_HEADER),
        "unexpected header {}",
        header.iter().collect::<Vec<_>>().join(",")
    );
    reader
        .deserialize::<ComuneRecord>()
        .enumerate()
        .map(|(i, record)| {
            let line = i + 2;
            let r = record.map_err(|e| anyhow::anyhow!("line {line}: {e}"))?;
            Ok(Comune {
                istat: IstatCode::parse(&r.istat_code)
                    .map_err(|e| anyhow::anyhow!("line {line}: {e}"))?,
                name: r.name,
                province_code: r.province_code,
                province: r.province,
                province_short: r.province_short,
                region_code: r.region_code,
                region: r.region,
                cadastral_code: r.cadastral_code,
                population: r.population_2023,
            })
        })
        .collect()
}

pub fn load(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let present: i64 = enti::table.count().get_result(conn)?;
    if present > 0 {
        return load_ceased(conn);
    }
    let comuni = comuni()?;
    let mut written = 0;
    for chunk in comuni.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|c| {
                (
                    enti::id.eq(Uuid::new_v4()),
                    enti::code.eq(c.istat.as_str()),
                    enti::kind.eq("comune"),
                    enti::name.eq(&c.name),
                    enti::istat_code.eq(Some(c.istat.as_str())),
                    enti::province_code.eq(Some(&c.province_code)),
                    enti::province_short.eq(Some(&c.province_short)),
                    enti::region_code.eq(Some(&c.region_code)),
                    enti::cadastral_code.eq(Some(&c.cadastral_code)),
                    enti::population.eq(Some(c.population)),
                    enti::population_as_of.eq(Some(population_date())),
                )
            })
            .collect();
        written += diesel::insert_into(enti::table)
            .values(rows)
            .execute(conn)?;
    }
    let mut provinces: BTreeMap<&str, &Comune> = BTreeMap::new();
    for c in &comuni {
        provinces.entry(c.province_code.as_str()).or_insert(c);
    }
    for (code, c) in provinces {
        let population: i32 = comuni
            .iter()
            .filter(|x| x.province_code == code)
            .map(|x| x.population)
            .sum();
        written += diesel::insert_into(enti::table)
            .values((
                enti::id.eq(Uuid::new_v4()),
                enti::code.eq(format!("P{code}")),
                enti::kind.eq("provincia"),
                enti::name.eq(&c.province),
                enti::province_code.eq(Some(code)),
                enti::province_short.eq(Some(&c.province_short)),
                enti::region_code.eq(Some(&c.region_code)),
                enti::population.eq(Some(population)),
                enti::population_as_of.eq(Some(population_date())),
            ))
            .execute(conn)?;
    }
    let tuscany: i32 = comuni
        .iter()
        .filter(|c| c.region_code == "09")
        .map(|c| c.population)
        .sum();
    written += diesel::insert_into(enti::table)
        .values((
            enti::id.eq(Uuid::new_v4()),
            enti::code.eq("R09"),
            enti::kind.eq("regione"),
            enti::name.eq("Regione Toscana"),
            enti::region_code.eq(Some("09")),
            enti::population.eq(Some(tuscany)),
            enti::population_as_of.eq(Some(population_date())),
        ))
        .execute(conn)?;
    written += load_ceased(conn)?;
    Ok(written)
}

/// The date of the ISTAT populations shipped: 1 January 2023.
fn population_date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tuscany_has_273_comuni_119_of_them_small() {
        let comuni = super::comuni().unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(comuni.len(), 7899);
        let tuscany: Vec<_> = comuni.iter().filter(|c| c.region_code == "09").collect();
        assert_eq!(tuscany.len(), 273);
        assert_eq!(tuscany.iter().filter(|c| c.population < 5000).count(), 119);
    }

    #[test]
    fn the_merged_away_tuscan_comuni_parse_with_their_dates() {
        let ceased = super::ceased().unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(ceased.len(), 28);
        assert!(ceased.iter().all(|c| c.existed_from < c.ceased_on));
        let current = super::comuni().unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            ceased
                .iter()
                .all(|c| !current.iter().any(|x| x.cadastral_code == c.code)),
            "no merged-away comune is a current one"
        );
    }
}
