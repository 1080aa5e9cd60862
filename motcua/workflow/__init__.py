"""The legal clock (đồng hồ pháp lý): pure Python, no Django, no other motcua package.

- `calendar`: working days and working time of the Vietnamese public sector.
- `deadlines`: the due date of a dossier from its receipt, time limit and pauses.
- `classification`: early / on time / late (trước hạn / đúng hạn / quá hạn).
- `explain`: the computation told in plain Vietnamese or English.
- `states`: the dossier states.
"""
