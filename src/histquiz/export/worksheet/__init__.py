"""Printable PDF worksheets: ``plan`` picks the questions and plans the versions (no reportlab),
``pdf`` lays them out, with ``flowables`` (question blocks, badges), ``fonts`` (the embedded
DejaVu Sans and its coverage check) and ``timeline`` (the optional study page)."""
