print("nothing runs when the file does not parse")

def broken(:
    pass
