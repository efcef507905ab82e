"""Demo: sign the tree head after everything else was seeded."""

from gotong.core.seeding import DemoContext

from .services import tree_head_publish


def demo_seed(demo: DemoContext) -> None:
    tree_head_publish(kelurahan=demo.objects["kelurahan"])
