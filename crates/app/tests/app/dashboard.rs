//! 数据看板 on both databases: the funnel, the totals and the quarter's exits, read in one grouped
//! statement, equal the counts of the case list filtered the same way, for the county, a township and a
//! village.

use shouwang_app::{Caller, dashboard, demo};
use shouwang_core::monitoring::{Channel, Lifecycle, Quarter};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo::cases::{self, CaseQuery};
use shouwang_store::{Db, db_test};

async fn listed(db: &Db, scope: &Scope, lifecycle: Lifecycle, channel: Option<Channel>) -> u64 {
    let q = CaseQuery {
        lifecycle: Some(lifecycle),
        channel,
        ..Default::default()
    };
    cases::list(db, scope, &q, 1, 1).await.unwrap().total
}

db_test!(
    fn the_dashboard_counts_equal_the_case_lists(db: Db) {
        let county = demo::generate(150, 11);
        demo::load(&db, &county, &|_, _| {}).await.unwrap();
        let village = county.households[0].household.village.as_str().to_owned();
        let township = village[..9].to_owned();
        for (role, area) in [
            (Role::CountyAdmin, "141123".to_owned()),
            (Role::TownshipAdmin, township),
            (Role::VillageTeam, village),
        ] {
            let caller = Caller {
                user_id: 1,
                name: "看板".to_owned(),
                scope: Scope::new(1, role, &area),
            };
            let f = dashboard::figures(&db, &caller).await.unwrap();
            let scope = &caller.scope;
            for (ch, fig) in Channel::all().iter().zip(&f.funnel) {
                assert_eq!(fig.channel, ch.code());
                let mut per = std::collections::BTreeMap::new();
                for l in Lifecycle::all() {
                    per.insert(l.code(), listed(&db, scope, *l, Some(*ch)).await);
                }
                let get = |l: Lifecycle| per[l.code()];
                let enrolled = get(Lifecycle::Monitored)
                    + get(Lifecycle::Eliminated)
                    + get(Lifecycle::Deferred);
                let identified =
                    enrolled + get(Lifecycle::Identifying) + get(Lifecycle::NotIncluded);
                assert_eq!(
                    (fig.clues, fig.identified, fig.enrolled),
                    (identified + get(Lifecycle::Clue), identified, enrolled),
                    "{area} {}",
                    ch.code()
                );
            }
            let deferred = listed(&db, scope, Lifecycle::Deferred, None).await;
            assert_eq!(f.deferred, deferred, "{area}");
            assert_eq!(
                f.monitored,
                listed(&db, scope, Lifecycle::Monitored, None).await + deferred
            );
            let quarter = Quarter::of(shouwang_app::today());
            let q = CaseQuery {
                lifecycle: Some(Lifecycle::Eliminated),
                ..Default::default()
            };
            let all = cases::list(&db, scope, &q, 1, 10_000).await.unwrap();
            let in_quarter = all
                .items
                .iter()
                .filter(|r| {
                    r.eliminated_on
                        .is_some_and(|d| d >= quarter.first_day() && d <= quarter.last_day())
                })
                .count() as u64;
            assert_eq!(f.eliminated_this_quarter, in_quarter, "{area}");
            if role == Role::CountyAdmin {
                assert!(f.monitored > 0 && f.funnel.iter().any(|c| c.enrolled > 0));
            }
            // The problems by sector are the problem board's; the indicators the indicator board's
            // total against the county's targets.
            let today = shouwang_app::today();
            assert_eq!(
                f.problems,
                shouwang_app::problems::board(&db, &caller, None, today)
                    .await
                    .unwrap()
            );
            let year = chrono::Datelike::year(&today);
            let b = shouwang_app::indicators::board(&db, &caller, year, None)
                .await
                .unwrap();
            let rates = |r: &[shouwang_core::indicators::Rate]| {
                r.iter()
                    .map(|x| (x.part, x.whole, x.target_pct))
                    .collect::<Vec<_>>()
            };
            assert_eq!(rates(&f.indicators.rates), rates(&b.total), "{area}");
            assert_eq!(
                (
                    f.indicators.villages,
                    f.indicators.missing,
                    f.indicators.checked
                ),
                (b.villages.len(), b.missing, b.checked)
            );
            if role == Role::CountyAdmin {
                assert!(
                    f.problems
                        .iter()
                        .any(|p| p.open + p.rectifying + p.closed > 0)
                );
                assert_eq!(f.indicators.rates.len(), 3);
                assert_eq!(f.indicators.year, year, "this year's");
                assert!(f.indicators.villages > 0, "{:?}", f.indicators);
            }
        }
    }
);
