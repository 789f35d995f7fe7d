# UTF-8 in and out.
line = input()
print(line[::-1], len(line))
