import csv


def parse_csv_line(line):
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error as exc:
        raise ValueError(str(exc)) from None
