use proptest::prelude::*;

use super::*;
use crate::monitoring::RefusalCode;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn month(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

fn station() -> Station {
    Station {
        name: "圪塔上村光伏电站".to_owned(),
        kind: StationKind::Village,
        place: "141123208201".to_owned(),
        villages: Vec::new(),
        capacity_kw: 300,
        grid_on: Some(day(2018, 6, 30)),
        asset: None,
        state: StationState::Running,
    }
}

fn central() -> Station {
    Station {
        name: "蔡家崖乡集中式光伏电站".to_owned(),
        kind: StationKind::Central,
        place: "141123208000".to_owned(),
        villages: vec!["141123208201".to_owned(), "141123208202".to_owned()],
        capacity_kw: 6000,
        ..station()
    }
}

fn distribution() -> Distribution {
    Distribution {
        village: "141123208201".to_owned(),
        month: month(2026, 11),
        distributed: Fen(1_000_000),
        uses: Uses {
            post_wages: Fen(600_000),
            public_works: Fen(200_000),
            rewards: Fen(100_000),
            other: Fen(50_000),
        },
        posts: vec![7],
        decision: "村民代表会议决议（2026年第11次）".to_owned(),
        decided_on: day(2026, 12, 3),
        note: String::new(),
    }
}

const TODAY: (i32, u32, u32) = (2026, 12, 7);

fn today() -> NaiveDate {
    day(TODAY.0, TODAY.1, TODAY.2)
}

#[test]
fn good_stations_pass() {
    assert_eq!(station().validate(today()), Ok(()));
    assert_eq!(central().validate(today()), Ok(()));
    let mut county = central();
    county.place = "141123000000".to_owned();
    county.villages.push("141123100201".to_owned());
    assert_eq!(county.validate(today()), Ok(()));
    assert_eq!(
        central().beneficiaries(),
        vec!["141123208201", "141123208202"]
    );
    assert_eq!(station().beneficiaries(), vec!["141123208201"]);
}

#[test]
fn bad_stations_are_refused() {
    let cases: Vec<fn(&mut Station)> = vec![
        |s| s.name = " ".to_owned(),
        |s| s.place = "1411232082".to_owned(),
        |s| s.place = "141123208000".to_owned(),
        |s| s.villages = vec!["141123208202".to_owned()],
        |s| s.capacity_kw = 0,
        |s| s.capacity_kw = MAX_CAPACITY_KW + 1,
        |s| s.grid_on = Some(day(2026, 12, 8)),
    ];
    for (i, change) in cases.into_iter().enumerate() {
        let mut s = station();
        change(&mut s);
        let r = s.validate(today());
        assert!(
            matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
            "case {i}: {r:?}"
        );
    }
    let central_cases: Vec<fn(&mut Station)> = vec![
        |s| s.villages.clear(),
        |s| s.place = "141123208201".to_owned(),
        |s| s.villages.push("141123208201".to_owned()),
        |s| s.villages.push("141123100201".to_owned()),
        |s| s.villages.push("141123208000".to_owned()),
    ];
    for (i, change) in central_cases.into_iter().enumerate() {
        let mut s = central();
        change(&mut s);
        assert!(s.validate(today()).is_err(), "central case {i}");
    }
}

#[test]
fn a_village_station_keeps_no_village_list() {
    let mut s = station();
    s.villages = vec![" 141123208202".to_owned()];
    assert!(s.clone().normalized().villages.is_empty());
    assert_eq!(region_prefix("141123000000"), "141123");
    assert_eq!(region_prefix("141123208000"), "141123208");
    assert_eq!(region_prefix("141123208201"), "141123208201");
}

#[test]
fn income_is_checked() {
    let ok = Income {
        month: month(2026, 12),
        amount: Fen(0),
        note: String::new(),
    };
    assert_eq!(ok.validate(today()), Ok(()));
    let mut future = ok.clone();
    future.month = month(2027, 1);
    assert!(future.validate(today()).is_err());
    let mut negative = ok.clone();
    negative.amount = Fen(-1);
    assert!(negative.validate(today()).is_err());
    let mut huge = ok;
    huge.amount = Fen(MAX_AMOUNT.0 + 1);
    assert!(huge.validate(today()).is_err());
}

#[test]
fn distributions_are_checked() {
    assert_eq!(distribution().validate(today()), Ok(()));
    assert_eq!(distribution().balance(), Fen(50_000));
    let cases: Vec<fn(&mut Distribution)> = vec![
        |d| d.village = "141123208000".to_owned(),
        |d| d.month = YearMonth::new(2027, 1).unwrap(),
        |d| d.distributed = Fen(-1),
        |d| d.uses.other = Fen(100_001),
        |d| d.uses.rewards = Fen(-5),
        |d| {
            d.uses.other = Fen(650_000);
            d.uses.post_wages = Fen(0);
        },
        |d| d.posts = vec![7, 7],
        |d| d.decision = String::new(),
        |d| d.decided_on = day(2026, 12, 8),
    ];
    for (i, change) in cases.into_iter().enumerate() {
        let mut d = distribution();
        change(&mut d);
        let r = d.validate(today());
        assert!(
            matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
            "case {i}: {r:?}"
        );
    }
    let err = {
        let mut d = distribution();
        d.uses.other = Fen(100_001);
        d.validate(today()).unwrap_err()
    };
    assert_eq!(
        err.message_zh,
        "收益使用合计10000.01元超过分配到村金额10000.00元"
    );
}

#[test]
fn the_rate_and_its_gap() {
    let r = Rate::of(Fen(1_000_000), Fen(850_000), 90);
    assert_eq!(r.rate_bp, Some(8500));
    assert_eq!(r.percent_text(), "85.00%");
    assert_eq!(r.gap, Fen(50_000));
    assert!(!r.met);
    let r = Rate::of(Fen(1_000_000), Fen(900_000), 90);
    assert!(r.met && r.gap == Fen(0));
    let none = Rate::of(Fen(0), Fen(0), 90);
    assert_eq!(none.rate_bp, None);
    assert_eq!(none.percent_text(), "—");
    assert!(!none.met);
    // The target amount rounds up to the fen: 90 % of 0.01 元 needs 0.01 元.
    assert_eq!(Rate::of(Fen(1), Fen(0), 90).gap, Fen(1));
}

#[test]
fn progress_is_cumulative_by_month() {
    let income = [
        (month(2026, 1), Fen(100)),
        (month(2026, 2), Fen(100)),
        (month(2025, 12), Fen(999)),
    ];
    let distributed = [(month(2026, 2), Fen(180))];
    let p = progress(2026, 3, &income, &distributed, 90);
    assert_eq!(p.len(), 3);
    assert_eq!(p[0].cumulative.rate_bp, Some(0));
    assert_eq!(p[0].cumulative.gap, Fen(90));
    assert_eq!(p[1].cumulative.income, Fen(200));
    assert_eq!(p[1].cumulative.rate_bp, Some(9000));
    assert!(p[1].cumulative.met);
    assert_eq!(p[2].income, Fen(0));
    assert_eq!(p[2].cumulative, p[1].cumulative);
}

#[test]
fn targets_default_to_the_plan_and_are_checked() {
    let t = PvTargets::default();
    assert_eq!(t.yearly_income(), Fen(8_500_000_000));
    assert_eq!(t.village_rate_pct, 90);
    assert_eq!(t.validate(), Ok(()));
    assert_eq!(income_gap(Fen(8_000_000_000), &t), Fen(500_000_000));
    assert_eq!(income_gap(Fen(9_000_000_000), &t), Fen(0));
    let bad = PvTargets {
        village_rate_pct: 101,
        ..t
    };
    assert!(bad.validate().is_err());
    let rules: crate::rules::CountyRules =
        serde_json::from_str(r#"{"pv":{"village_rate_pct":85}}"#).unwrap();
    assert_eq!(rules.pv.village_rate_pct, 85);
    assert_eq!(rules.pv.yearly_income_yuan, 85_000_000);
}

#[test]
fn the_ledger_row_matches_its_columns() {
    let d = distribution();
    let row = ledger_row(
        1,
        &LedgerDistribution {
            record: &d,
            township: "蔡家崖乡",
            village: "圪塔上村",
            income: Fen(1_100_000),
            recorded_by: "李四",
        },
    );
    assert_eq!(row.len(), LEDGER_COLUMNS.len());
    assert_eq!(row[4].to_text(), "2026-11");
    assert_eq!(row[6].to_text(), "10000");
    assert_eq!(row[11].to_text(), "500");
}

fn amount() -> impl Strategy<Value = i64> {
    0i64..2_000_000_000
}

proptest! {
    /// Uses never exceed the distribution: a distribution passes exactly when its uses fit, and then the
    /// balance plus the uses give back the amount distributed, to the fen.
    #[test]
    fn uses_reconcile_with_the_distribution(
        distributed in amount(), a in amount(), b in amount(), c in amount(), e in amount()
    ) {
        let mut d = distribution();
        d.distributed = Fen(distributed);
        d.uses = Uses { post_wages: Fen(a + 1), public_works: Fen(b), rewards: Fen(c), other: Fen(e) };
        let fits = a + 1 + b + c + e <= distributed;
        prop_assert_eq!(d.validate(today()).is_ok(), fits);
        if fits {
            prop_assert!(!d.balance().is_negative());
            prop_assert_eq!(d.balance() + d.uses.total(), d.distributed);
        }
    }

    /// The cumulative figures equal the sums of the months, the gap closes the target exactly, and the
    /// rate met agrees with the gap.
    #[test]
    fn progress_reconciles(
        inc in proptest::collection::vec(amount(), 12),
        dis in proptest::collection::vec(amount(), 12),
        pct in 0u32..=100,
    ) {
        let m = |i: usize| month(2026, i as u32 + 1);
        let income: Vec<_> = inc.iter().enumerate().map(|(i, a)| (m(i), Fen(*a))).collect();
        let distributed: Vec<_> = dis.iter().enumerate().map(|(i, a)| (m(i), Fen(*a))).collect();
        let p = progress(2026, 12, &income, &distributed, pct);
        prop_assert_eq!(p.len(), 12);
        let last = p[11].cumulative;
        prop_assert_eq!(last.income, Fen(inc.iter().sum()));
        prop_assert_eq!(last.distributed, Fen(dis.iter().sum()));
        prop_assert_eq!(p.iter().map(|x| x.income).sum::<Fen>(), last.income);
        for x in &p {
            let r = x.cumulative;
            let needed = (i128::from(r.income.0) * i128::from(pct) + 99) / 100;
            prop_assert_eq!(i128::from(r.distributed.0 + r.gap.0) >= needed, true);
            prop_assert_eq!(r.met, r.income.0 > 0 && r.gap.is_zero());
            if let Some(bp) = r.rate_bp {
                prop_assert!(i128::from(bp) * i128::from(r.income.0) <= i128::from(r.distributed.0) * 10_000);
            }
        }
    }
}
