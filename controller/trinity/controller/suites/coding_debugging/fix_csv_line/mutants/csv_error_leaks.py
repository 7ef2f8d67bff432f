import csv


def parse_csv_line(line):
    if line == "":
        return [""]  # csv.reader yields no row at all for an empty line
    return next(csv.reader([line], strict=True))
