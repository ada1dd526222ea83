//! Results: medians, paired ratios, targets, the table and the JSON object.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::clients::Contender;
use crate::measure::median;

/// One contender's value in one round.
#[derive(Debug, Clone, Copy, Default)]
pub struct Obs {
    /// Throughput (or memory for the memory scenarios).
    pub primary: f64,
    /// Client CPU per unit (or peak memory).
    pub secondary: f64,
    pub ctx_per_unit: Option<f64>,
    pub server_busy: Option<f64>,
}

/// Every round of one contender in one scenario.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: &'static str,
    pub contender: Contender,
    /// In round order.
    pub obs: Vec<Obs>,
}

/// How a scenario's numbers read.
#[derive(Debug, Clone, Copy)]
pub struct Units {
    pub primary: &'static str,
    pub secondary: &'static str,
}

pub struct Report {
    /// Printed above the table: machine, runtime flavours, sizes.
    pub header: String,
    pub rows: Vec<Row>,
    pub units: Vec<(&'static str, Units)>,
    /// User-space instructions per unit from callgrind, when measured.
    pub instructions: Vec<(&'static str, Contender, f64)>,
    pub meta: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Primary,
    Secondary,
}

/// A named ratio: `a / b` of one field, per round, median over rounds.
pub struct RatioDef {
    pub name: &'static str,
    pub scenario: &'static str,
    pub a: Contender,
    pub b: Contender,
    pub field: Field,
}

impl RatioDef {
    /// CPU and memory: lower is better; throughput: higher is better.
    fn lower_is_better(&self) -> bool {
        self.field == Field::Secondary || self.scenario.starts_with("mem")
    }
}

const fn r(name: &'static str, scenario: &'static str, a: Contender, b: Contender, field: Field) -> RatioDef {
    RatioDef { name, scenario, a, b, field }
}

use Contender::{AsyncOpenai as Aoai, Openapi, Raw, Sdk};
use Field::{Primary as Thru, Secondary as Cpu};

/// `_cpu` ratios are CPU per unit, SDK over other (lower is better); the others are
/// throughput, SDK over other (higher is better); `_mem` ratios are memory (lower is better).
pub const RATIOS: &[RatioDef] = &[
    r("sdk_vs_raw_chat_cpu", "chat_seq", Sdk, Raw, Cpu),
    r("sdk_vs_raw_chat_cpu_c64", "chat_c64", Sdk, Raw, Cpu),
    r("sdk_vs_raw_chat_rps", "chat_seq", Sdk, Raw, Thru),
    r("sdk_vs_raw_chat_rps_c64", "chat_c64", Sdk, Raw, Thru),
    r("openapi_vs_raw_chat_cpu", "chat_seq", Openapi, Raw, Cpu),
    r("async_openai_vs_raw_chat_cpu", "chat_seq", Aoai, Raw, Cpu),
    r("sdk_vs_async_openai_chat_cpu", "chat_seq", Sdk, Aoai, Cpu),
    r("sdk_vs_async_openai_chat_cpu_c64", "chat_c64", Sdk, Aoai, Cpu),
    r("sdk_vs_async_openai_stream", "stream", Sdk, Aoai, Thru),
    r("sdk_vs_async_openai_stream_cpu", "stream", Sdk, Aoai, Cpu),
    r("sdk_vs_raw_stream", "stream", Sdk, Raw, Thru),
    r("sdk_vs_raw_stream_cpu", "stream", Sdk, Raw, Cpu),
    r("sdk_vs_async_openai_stream_ct", "stream_ct", Sdk, Aoai, Thru),
    r("sdk_vs_async_openai_stream_ct_cpu", "stream_ct", Sdk, Aoai, Cpu),
    r("sdk_vs_raw_stream_ct", "stream_ct", Sdk, Raw, Thru),
    r("sdk_vs_raw_stream_ct_cpu", "stream_ct", Sdk, Raw, Cpu),
    r("sdk_vs_raw_embed_cpu", "embed", Sdk, Raw, Cpu),
    r("openapi_vs_raw_embed_cpu", "embed", Openapi, Raw, Cpu),
    r("sdk_vs_async_openai_embed_cpu", "embed", Sdk, Aoai, Cpu),
    r("sdk_vs_raw_stream_think_cpu", "stream_think", Sdk, Raw, Cpu),
    r("sdk_vs_raw_stream_think", "stream_think", Sdk, Raw, Thru),
    r("sdk_vs_raw_stream_conv_cpu", "stream_conv", Sdk, Raw, Cpu),
    r("sdk_vs_raw_stream_conv", "stream_conv", Sdk, Raw, Thru),
    r("sdk_vs_raw_embed_b64_cpu", "embed_b64", Sdk, Raw, Cpu),
    r("sdk_vs_raw_upload", "upload", Sdk, Raw, Thru),
    r("sdk_vs_raw_download", "download", Sdk, Raw, Thru),
    r("sdk_vs_raw_doc_upload", "doc_upload", Sdk, Raw, Thru),
    r("sdk_vs_serialize_batch", "batch", Sdk, Raw, Thru),
    r("sdk_vs_raw_mem_per_stream", "mem_hold", Sdk, Raw, Thru),
    r("sdk_vs_async_openai_mem_per_stream", "mem_hold", Sdk, Aoai, Thru),
];

/// A target of the issue: a ratio (or value) and its bound.
pub struct Target {
    pub what: &'static str,
    pub key: &'static str,
    pub bound: f64,
    pub at_most: bool,
}

pub const TARGETS: &[Target] = &[
    Target {
        what: "SDK client CPU per chat request <= 1.05x raw",
        key: "sdk_vs_raw_chat_cpu",
        bound: 1.05,
        at_most: true,
    },
    Target {
        what: "SDK client CPU per chat request <= 1.05x raw, 64 in flight",
        key: "sdk_vs_raw_chat_cpu_c64",
        bound: 1.05,
        at_most: true,
    },
    Target {
        what: "SDK streaming chunks/s >= 2x async-openai",
        key: "sdk_vs_async_openai_stream",
        bound: 2.0,
        at_most: false,
    },
    Target {
        what: "SDK streaming chunks/s >= 0.8x bare byte scan",
        key: "sdk_vs_raw_stream",
        bound: 0.8,
        at_most: false,
    },
    Target {
        what: "SDK RSS per open stream <= 1.25x raw (small)",
        key: "sdk_vs_raw_mem_per_stream",
        bound: 1.25,
        at_most: true,
    },
    Target {
        what: "SDK RSS growth behind a paused consumer <= 1 MiB (bounded)",
        key: "mem_paused/mistral-sdk",
        bound: 1.0,
        at_most: true,
    },
    Target {
        what: "SDK CPU per chunk of a reasoning stream (thinking, tool calls) <= 1.1x raw",
        key: "sdk_vs_raw_stream_think_cpu",
        bound: 1.1,
        at_most: true,
    },
    Target {
        what: "SDK CPU per named event of a conversation stream <= 1.1x raw",
        key: "sdk_vs_raw_stream_conv_cpu",
        bound: 1.1,
        at_most: true,
    },
    Target {
        what: "SDK RSS growth behind a paused conversation consumer <= 1 MiB (bounded)",
        key: "mem_paused_conv/mistral-sdk",
        bound: 1.0,
        at_most: true,
    },
    Target {
        what: "SDK CPU per base64 embeddings response <= 1.1x raw",
        key: "sdk_vs_raw_embed_b64_cpu",
        bound: 1.1,
        at_most: true,
    },
    Target {
        what: "SDK streamed upload throughput >= 1/1.2 of raw",
        key: "sdk_vs_raw_upload",
        bound: 1.0 / 1.2,
        at_most: false,
    },
    Target {
        what: "SDK streamed upload: peak RSS growth < 32 MiB",
        key: "upload/mistral-sdk:secondary",
        bound: 32.0,
        at_most: true,
    },
    Target {
        what: "SDK streamed download throughput >= 1/1.2 of raw",
        key: "sdk_vs_raw_download",
        bound: 1.0 / 1.2,
        at_most: false,
    },
    Target {
        what: "SDK streamed download: peak RSS growth < 32 MiB",
        key: "download/mistral-sdk:secondary",
        bound: 32.0,
        at_most: true,
    },
    Target {
        what: "SDK streamed library document upload throughput >= 1/1.2 of raw",
        key: "sdk_vs_raw_doc_upload",
        bound: 1.0 / 1.2,
        at_most: false,
    },
    Target {
        what: "SDK streamed library document upload: peak RSS growth < 32 MiB",
        key: "doc_upload/mistral-sdk:secondary",
        bound: 32.0,
        at_most: true,
    },
    Target {
        what: "SDK batch runner: peak RSS < 64 MiB",
        key: "batch/mistral-sdk:secondary",
        bound: 64.0,
        at_most: true,
    },
];

impl Report {
    fn row(&self, scenario: &str, c: Contender) -> Option<&Row> {
        self.rows.iter().find(|r| r.scenario == scenario && r.contender == c)
    }

    fn units(&self, scenario: &str) -> Option<Units> {
        self.units.iter().find(|(s, _)| *s == scenario).map(|(_, u)| *u)
    }

    /// Median over rounds of the per-round ratio `a / b`.
    pub fn ratio(&self, def: &RatioDef) -> Option<f64> {
        let (a, b) = (self.row(def.scenario, def.a)?, self.row(def.scenario, def.b)?);
        let pick = |o: &Obs| if def.field == Field::Primary { o.primary } else { o.secondary };
        let per_round: Vec<f64> = a.obs.iter().zip(&b.obs).map(|(x, y)| pick(x) / pick(y)).collect();
        let m = median(&per_round);
        m.is_finite().then_some(m)
    }

    fn value(&self, key: &str) -> Option<f64> {
        if let Some(def) = RATIOS.iter().find(|d| d.name == key) {
            return self.ratio(def);
        }
        // `scenario/contender` is its primary number, `scenario/contender:secondary` the other.
        let (scenario, contender) = key.split_once('/')?;
        let (contender, secondary) = match contender.strip_suffix(":secondary") {
            Some(c) => (c, true),
            None => (contender, false),
        };
        let c = Contender::ALL.into_iter().find(|c| c.name() == contender)?;
        let pick = |o: &Obs| if secondary { o.secondary } else { o.primary };
        let m = median(&self.row(scenario, c)?.obs.iter().map(pick).collect::<Vec<_>>());
        m.is_finite().then_some(m)
    }

    /// The ratio of each side's best round (least CPU or memory, most throughput): the
    /// estimate least moved by load from other processes, which only ever adds.
    pub fn best_ratio(&self, def: &RatioDef) -> Option<f64> {
        let (a, b) = (self.row(def.scenario, def.a)?, self.row(def.scenario, def.b)?);
        let best = |row: &Row| {
            let values = row.obs.iter().map(|o| if def.field == Field::Primary { o.primary } else { o.secondary });
            if def.lower_is_better() { values.fold(f64::INFINITY, f64::min) } else { values.fold(0.0, f64::max) }
        };
        let v = best(a) / best(b);
        v.is_finite().then_some(v)
    }

    pub fn ratios(&self) -> Vec<(&'static str, f64)> {
        RATIOS.iter().filter_map(|d| self.ratio(d).map(|v| (d.name, v))).collect()
    }

    fn instruction(&self, scenario: &str, c: Contender) -> Option<f64> {
        self.instructions.iter().find(|(s, k, _)| *s == scenario && *k == c).map(|(_, _, v)| *v)
    }

    /// Instruction ratios, SDK over each other contender, per scenario.
    pub fn instruction_ratios(&self) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for &(scenario, c, _) in &self.instructions {
            if c == Sdk {
                continue;
            }
            if let (Some(sdk), Some(other)) = (self.instruction(scenario, Sdk), self.instruction(scenario, c)) {
                let other_name = if c == Aoai { "async_openai" } else { c.name().trim_start_matches("mistral-") };
                out.push((format!("sdk_vs_{other_name}_{scenario}_instr"), sdk / other));
            }
        }
        out
    }

    /// Each target with its measured value and whether it is met (None: not measured).
    pub fn targets(&self) -> Vec<(&'static Target, Option<f64>, Option<bool>)> {
        TARGETS
            .iter()
            .map(|t| {
                let v = self.value(t.key);
                (t, v, v.map(|v| if t.at_most { v <= t.bound } else { v >= t.bound }))
            })
            .collect()
    }

    pub fn json(&self) -> Value {
        let mut out = Map::new();
        for row in &self.rows {
            let Some(units) = self.units(row.scenario) else { continue };
            let primary: Vec<f64> = row.obs.iter().map(|o| o.primary).collect();
            let secondary: Vec<f64> = row.obs.iter().map(|o| o.secondary).collect();
            let min = primary.iter().copied().fold(f64::INFINITY, f64::min);
            let max = primary.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut entry = json!({
                "median": round4(median(&primary)),
                "unit": units.primary,
                "min": round4(min),
                "max": round4(max),
                "rounds": row.obs.len(),
                "secondary_median": round4(median(&secondary)),
                "secondary_unit": units.secondary,
            });
            entry["rounds_primary"] = json!(primary.iter().map(|&v| round4(v)).collect::<Vec<_>>());
            entry["rounds_secondary"] = json!(secondary.iter().map(|&v| round4(v)).collect::<Vec<_>>());
            let ctx: Vec<f64> = row.obs.iter().filter_map(|o| o.ctx_per_unit).collect();
            if !ctx.is_empty() {
                entry["ctx_switches_per_unit"] = json!(round4(median(&ctx)));
            }
            let busy: Vec<f64> = row.obs.iter().filter_map(|o| o.server_busy).collect();
            if !busy.is_empty() {
                entry["server_busy_max"] = json!(round4(busy.iter().copied().fold(0.0, f64::max)));
            }
            out.insert(format!("{}/{}", row.scenario, row.contender.name()), entry);
        }
        let ratios: Map<String, Value> =
            self.ratios().into_iter().map(|(k, v)| (k.to_string(), json!(round4(v)))).collect();
        out.insert("ratios".into(), Value::Object(ratios));
        let best: Map<String, Value> =
            RATIOS.iter().filter_map(|d| self.best_ratio(d).map(|v| (d.name.to_string(), json!(round4(v))))).collect();
        out.insert("ratios_best_round".into(), Value::Object(best));
        if !self.instructions.is_empty() {
            let mut instr: Map<String, Value> = self
                .instructions
                .iter()
                .map(|(s, c, v)| {
                    (format!("{s}/{}", c.name()), json!({"median": v.round(), "unit": "instructions/unit"}))
                })
                .collect();
            let ratios: Map<String, Value> =
                self.instruction_ratios().into_iter().map(|(k, v)| (k, json!(round4(v)))).collect();
            instr.insert("ratios".into(), Value::Object(ratios));
            out.insert("instructions".into(), Value::Object(instr));
        }
        let targets: Vec<Value> = self
            .targets()
            .into_iter()
            .map(|(t, v, met)| json!({"target": t.what, "key": t.key, "value": v.map(round4), "met": met}))
            .collect();
        out.insert("targets".into(), Value::Array(targets));
        out.insert("meta".into(), self.meta.clone());
        Value::Object(out)
    }

    pub fn table(&self) -> String {
        let mut s = self.header.clone();
        let _ = writeln!(
            s,
            "{:<11} {:<16} {:>22} {:>24} {:>10} {:>10} {:>8}",
            "scenario", "contender", "median (primary)", "median (secondary)", "2nd vs raw", "ctxsw/unit", "srv busy"
        );
        let _ = writeln!(s, "{}", "-".repeat(107));
        let mut last = "";
        for row in &self.rows {
            let Some(units) = self.units(row.scenario) else { continue };
            if row.scenario != last && !last.is_empty() {
                let _ = writeln!(s);
            }
            last = row.scenario;
            let primary = median(&row.obs.iter().map(|o| o.primary).collect::<Vec<_>>());
            let secondary = median(&row.obs.iter().map(|o| o.secondary).collect::<Vec<_>>());
            let vs_raw = self
                .ratio(&RatioDef {
                    name: "",
                    scenario: row.scenario,
                    a: row.contender,
                    b: Raw,
                    field: Field::Secondary,
                })
                .map_or("-".to_string(), |v| format!("{v:.3}x"));
            let ctx: Vec<f64> = row.obs.iter().filter_map(|o| o.ctx_per_unit).collect();
            let ctx = if ctx.is_empty() { "-".to_string() } else { format!("{:.3}", median(&ctx)) };
            let busy = row
                .obs
                .iter()
                .filter_map(|o| o.server_busy)
                .fold(None, |m: Option<f64>, b| Some(m.map_or(b, |m| m.max(b))));
            let busy = busy.map_or("-".to_string(), |b| format!("{:.0}%", b * 100.0));
            let _ = writeln!(
                s,
                "{:<11} {:<16} {:>22} {:>24} {:>10} {:>10} {:>8}",
                row.scenario,
                row.contender.name(),
                format!("{} {}", num(primary), units.primary),
                format!("{} {}", num(secondary), units.secondary),
                vs_raw,
                ctx,
                busy
            );
        }
        let _ = writeln!(
            s,
            "\nratios: median of per-round ratios, and ratio of best rounds (_cpu, _mem: lower is better; others: higher)"
        );
        for def in RATIOS {
            if let Some(v) = self.ratio(def) {
                let best = self.best_ratio(def).map_or("-".to_string(), |b| format!("{b:.3}"));
                let _ = writeln!(s, "  {:<36} {v:>7.3}  best {best:>7}", def.name);
            }
        }
        if !self.instructions.is_empty() {
            let _ =
                writeln!(s, "\nuser-space instructions per unit (callgrind; exact, load-independent, no kernel time)");
            for (scenario, c, v) in &self.instructions {
                let _ = writeln!(s, "  {:<11} {:<16} {:>12.0}", scenario, c.name(), v);
            }
            for (name, v) in self.instruction_ratios() {
                let _ = writeln!(s, "  {name:<36} {v:>7.3}");
            }
        }
        let _ = writeln!(s, "\ntargets");
        for (t, v, met) in self.targets() {
            let verdict = match met {
                Some(true) => "MET ",
                Some(false) => "MISS",
                None => "n/a ",
            };
            let v = v.map_or("-".to_string(), |v| format!("{v:.3}"));
            let _ = writeln!(s, "  [{verdict}] {:<62} {:>8}  ({})", t.what, v, t.key);
        }
        s
    }
}

fn round4(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let digits = 4 - x.abs().log10().ceil().max(-8.0) as i32;
    let scale = 10f64.powi(digits.max(0));
    (x * scale).round() / scale
}

/// A number with about 4 significant digits.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}
