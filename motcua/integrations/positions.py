"""Where each element of a top-level JSON array starts, as a line number, so that an import
error can name the line a person should open in their editor (the json module only knows
where syntax errors are)."""

from __future__ import annotations


def array_element_lines(text: str, key: str) -> list[int]:
    """1-based line numbers of the elements of the array at `key` of the top-level object."""
    lines: list[int] = []
    depth = 0
    line = 1
    in_string = escaped = False
    string_start = 0
    last_string = ""
    target_depth: int | None = None
    expect_value = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                last_string = text[string_start:index]
            elif char == "\n":
                line += 1
            continue
        if char == "\n":
            line += 1
        elif char == '"':
            if target_depth is not None and depth == target_depth and expect_value:
                lines.append(line)
                expect_value = False
            in_string, string_start = True, index + 1
        elif char in "[{":
            if target_depth is not None and depth == target_depth and expect_value:
                lines.append(line)
                expect_value = False
            depth += 1
            if char == "[" and depth == 2 and last_string == key and target_depth is None:
                target_depth, expect_value = depth, True
        elif char in "]}":
            if target_depth is not None and depth == target_depth:
                return lines
            depth -= 1
        elif char == "," and target_depth is not None and depth == target_depth:
            expect_value = True
        elif (
            not char.isspace()
            and target_depth is not None
            and depth == target_depth
            and expect_value
        ):
            lines.append(line)
            expect_value = False
    return lines
