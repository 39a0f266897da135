"""The Japanese routine vaccination schedule (定期接種) for young children, and 健康 staff's permissions.

Source: 厚生労働省「定期接種の対象年齢と標準的な接種年齢（スケジュール）」 (MHLW routine vaccination
schedule) and its pages on 5種混合 (routine from 2024-04-01: children born from 2024-02-01 reach
2 months on or after that day) and 小児用肺炎球菌 (PCV15 routine from 2024-04-01, PCV20 from
2024-10-01). The switches happened by the date of the dose; this table places them by the date of
birth of a child whose first dose at 2 months falls after the switch (born from 2024-02-01 and
2024-08-01). A child who began a series before a switch finishes it as the clinic decides.

Each dose has a window, as an age: it is *due* from the standard start of that dose (a later dose
of a series starts after the earlier one's minimum interval, counted from the earlier dose's actual
date once it is recorded) and *overdue* from the end of the
routine period (定期接種の対象期間), after which it is no longer a routine dose. These windows are
a summary: 健康 staff must check them against the current MHLW schedule and edit them in the
Wagtail admin (予防接種 → ワクチン).
"""

import datetime

from django.db import migrations

# (code, name, English name, born_from, born_until, notes, [(label, start months, start days, end months, end days, notes)])
SCHEDULE = [
    (
        "hepb",
        "B型肝炎",
        "Hepatitis B",
        datetime.date(2016, 4, 1),
        None,
        "1歳に至るまで。標準的には生後2月から9月に至るまでに3回。",
        [
            ("1回目", 2, 0, 12, 0, ""),
            ("2回目", 2, 27, 12, 0, "1回目から27日以上"),
            ("3回目", 2, 139, 12, 0, "1回目から139日以上"),
        ],
    ),
    (
        "rota",
        "ロタウイルス",
        "Rotavirus",
        datetime.date(2020, 8, 1),
        None,
        "初回は生後14週6日までに。1価（2回）は生後24週0日まで、5価（3回）は生後32週0日まで。",
        [
            ("1回目", 2, 0, 0, 105, "生後14週6日まで"),
            ("2回目", 2, 27, 0, 168, "1回目から27日以上。1価は生後24週0日まで"),
        ],
    ),
    (
        "hib",
        "ヒブ（Hib）",
        "Hib",
        None,
        datetime.date(2024, 1, 31),
        "生後2月から5歳に至るまで。2024年2月1日以降に生まれた子は5種混合に含まれます。",
        [
            ("初回 1回目", 2, 0, 60, 0, "標準的には生後2月から7月に至るまでに開始"),
            ("初回 2回目", 2, 27, 12, 0, "27日以上の間隔"),
            ("初回 3回目", 2, 54, 12, 0, "27日以上の間隔"),
            ("追加", 12, 0, 60, 0, "初回接種終了後7月以上（標準的には7月から13月）"),
        ],
    ),
    (
        "dpt-ipv",
        "4種混合（DPT-IPV）",
        "DPT-IPV",
        None,
        datetime.date(2024, 1, 31),
        "生後2月から90月に至るまで。2024年2月1日以降に生まれた子は5種混合。",
        [
            ("1期初回 1回目", 2, 0, 90, 0, ""),
            ("1期初回 2回目", 2, 20, 90, 0, "20日以上の間隔"),
            ("1期初回 3回目", 2, 40, 90, 0, "20日以上の間隔"),
            ("1期追加", 12, 0, 90, 0, "初回接種終了後6月以上（標準的には12月から18月）"),
        ],
    ),
    (
        "dpt-ipv-hib",
        "5種混合（DPT-IPV-Hib）",
        "DPT-IPV-Hib",
        datetime.date(2024, 2, 1),
        None,
        "生後2月から90月に至るまで。標準的には生後2月から7月に至るまでに開始。",
        [
            ("1期初回 1回目", 2, 0, 90, 0, ""),
            ("1期初回 2回目", 2, 20, 90, 0, "20日以上の間隔"),
            ("1期初回 3回目", 2, 40, 90, 0, "20日以上の間隔"),
            ("1期追加", 12, 0, 90, 0, "初回接種終了後6月以上（標準的には6月から18月）"),
        ],
    ),
    (
        "pcv13",
        "小児用肺炎球菌（PCV13）",
        "Pneumococcal conjugate (PCV13)",
        None,
        datetime.date(2024, 1, 31),
        "生後2月から5歳に至るまで。13価で始めた子も2024年10月1日以降の接種は20価（PCV20）で続けます（13価は定期接種から外れました）。",
        [
            ("初回 1回目", 2, 0, 60, 0, "標準的には生後2月から7月に至るまでに開始"),
            ("初回 2回目", 2, 27, 24, 0, "27日以上の間隔"),
            ("初回 3回目", 2, 54, 24, 0, "27日以上の間隔"),
            ("追加", 12, 0, 60, 0, "初回接種終了後60日以上、標準的には生後12月から15月"),
        ],
    ),
    (
        "pcv15",
        "小児用肺炎球菌（PCV15）",
        "Pneumococcal conjugate (PCV15)",
        datetime.date(2024, 2, 1),
        datetime.date(2024, 7, 31),
        "2024年4月1日から定期接種。15価で始めた子は原則として15価で完了します。2024年10月1日以降に始める子は20価。",
        [
            ("初回 1回目", 2, 0, 60, 0, "標準的には生後2月から7月に至るまでに開始"),
            ("初回 2回目", 2, 27, 24, 0, "27日以上の間隔"),
            ("初回 3回目", 2, 54, 24, 0, "27日以上の間隔"),
            ("追加", 12, 0, 60, 0, "初回接種終了後60日以上、標準的には生後12月から15月"),
        ],
    ),
    (
        "pcv20",
        "小児用肺炎球菌（PCV20）",
        "Pneumococcal conjugate (PCV20)",
        datetime.date(2024, 8, 1),
        None,
        "2024年10月1日から定期接種。",
        [
            ("初回 1回目", 2, 0, 60, 0, "標準的には生後2月から7月に至るまでに開始"),
            ("初回 2回目", 2, 27, 24, 0, "27日以上の間隔"),
            ("初回 3回目", 2, 54, 24, 0, "27日以上の間隔"),
            ("追加", 12, 0, 60, 0, "初回接種終了後60日以上、標準的には生後12月から15月"),
        ],
    ),
    (
        "bcg",
        "BCG",
        "BCG",
        None,
        None,
        "1歳に至るまで。標準的には生後5月から8月に至るまで。",
        [("1回", 5, 0, 12, 0, "")],
    ),
    (
        "mr",
        "MR（麻しん風しん）",
        "MR (measles, rubella)",
        None,
        None,
        "1期は1歳から2歳に至るまで。2期は小学校入学前の1年間（年長）。",
        [
            ("1期", 12, 0, 24, 0, ""),
            ("2期", 60, 0, 84, 0, "5歳以上7歳未満で小学校就学前の1年間"),
        ],
    ),
    (
        "varicella",
        "水痘（水ぼうそう）",
        "Varicella",
        None,
        None,
        "1歳から3歳に至るまで、2回。",
        [
            ("1回目", 12, 0, 36, 0, "標準的には生後12月から15月に至るまで"),
            ("2回目", 15, 0, 36, 0, "1回目から3月以上（標準的には6月から12月）"),
        ],
    ),
    (
        "je",
        "日本脳炎",
        "Japanese encephalitis",
        None,
        None,
        "1期は生後6月から90月に至るまで（標準的には3歳から）。2期は9歳以上13歳未満。",
        [
            ("1期初回 1回目", 36, 0, 90, 0, "標準的には3歳"),
            ("1期初回 2回目", 36, 6, 90, 0, "6日以上の間隔（標準的には6日から28日）"),
            ("1期追加", 48, 0, 90, 0, "初回接種終了後おおむね1年（標準的には4歳）"),
            ("2期", 108, 0, 156, 0, "標準的には9歳"),
        ],
    ),
]


# Minimum intervals: (vaccine, dose number) -> (counted from dose number, months, days). A dose is due
# no sooner than this after the earlier dose's actual date, whatever its age window says.
INTERVALS = {
    ("hepb", 2): (1, 0, 27),
    ("hepb", 3): (1, 0, 139),
    ("rota", 2): (1, 0, 27),
    ("hib", 2): (1, 0, 27),
    ("hib", 3): (2, 0, 27),
    ("hib", 4): (3, 7, 0),
    ("dpt-ipv", 2): (1, 0, 20),
    ("dpt-ipv", 3): (2, 0, 20),
    ("dpt-ipv", 4): (3, 6, 0),
    ("dpt-ipv-hib", 2): (1, 0, 20),
    ("dpt-ipv-hib", 3): (2, 0, 20),
    ("dpt-ipv-hib", 4): (3, 6, 0),
    **{(pcv, n): (n - 1, 0, 27) for pcv in ("pcv13", "pcv15", "pcv20") for n in (2, 3)},
    **{(pcv, 4): (3, 0, 60) for pcv in ("pcv13", "pcv15", "pcv20")},
    ("varicella", 2): (1, 3, 0),
    ("je", 2): (1, 0, 6),
    ("je", 3): (2, 6, 0),
}


def forwards(apps, schema_editor):
    from portal.staff import HEALTH, grant_model_permissions

    Vaccine = apps.get_model("health", "Vaccine")
    VaccineDose = apps.get_model("health", "VaccineDose")
    for order, (code, name, name_en, born_from, born_until, notes, doses) in enumerate(SCHEDULE, start=1):
        vaccine, _created = Vaccine.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "born_from": born_from,
                "born_until": born_until,
                "order": order * 10,
                "notes": notes,
            },
        )
        for number, (label, sm, sd, em, ed, dose_notes) in enumerate(doses, start=1):
            interval_from, interval_months, interval_days = INTERVALS.get((code, number), (None, 0, 0))
            VaccineDose.objects.update_or_create(
                vaccine=vaccine,
                number=number,
                defaults={
                    "label": label,
                    "start_months": sm,
                    "start_days": sd,
                    "end_months": em,
                    "end_days": ed,
                    "notes": dose_notes,
                    "interval_from": interval_from,
                    "interval_months": interval_months,
                    "interval_days": interval_days,
                },
            )
    # 健康 staff edit the schedule and load growth reference tables; they see no one's record.
    grant_model_permissions(
        apps,
        HEALTH,
        "health",
        ["add", "change", "delete", "view"],
        models=["Vaccine", "VaccineDose", "GrowthReference"],
    )


class Migration(migrations.Migration):
    dependencies = [("health", "0004_child"), ("portal", "0002_staff_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
