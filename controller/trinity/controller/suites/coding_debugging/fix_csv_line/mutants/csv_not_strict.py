import csv


def parse_csv_line(line):
    if line == "":
        return [""]  # csv.reader yields no row at all for an empty line
    try:
        return next(csv.reader([line]))
    except csv.Error as exc:
        raise ValueError(str(exc)) from None
