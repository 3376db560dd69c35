"""manage.py generate_members --members 100000 --records 2000000: the benchmark scale."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from kumiai.demo import populate


class Command(BaseCommand):
    help = _("ベンチマーク用の加入者と記録を一括で作成する（作成済みなら何もしない）。")

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--records", type=int, default=2_000_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--in-clear",
            action="store_true",
            help=_("暗号化して保管する類型の記録も平文のまま作る（seal_records で暗号化する）"),
        )

    def handle(self, *args, members: int, records: int, seed: int, in_clear: bool, **options):
        with tqdm(total=records, unit=_("件"), disable=options["verbosity"] == 0) as bar:
            made = populate(
                members=members,
                records=records,
                seed=seed,
                prefix="bench-",
                progress=bar.update,
                seal=not in_clear,
            )
        if not made.members:
            self.stdout.write(_("ベンチマーク用のデータは作成済みです。"))
            return
        self.stdout.write(
            _("加入者 %(members)d 人、記録 %(records)d 件を作成しました。") % vars(made)
        )
