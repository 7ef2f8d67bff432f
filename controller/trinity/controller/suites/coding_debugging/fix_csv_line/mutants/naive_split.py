def parse_csv_line(line):
    fields = []
    for part in line.split(","):
        if len(part) >= 2 and part[0] == part[-1] == '"':
            part = part[1:-1].replace('""', '"')
        fields.append(part)
    return fields
