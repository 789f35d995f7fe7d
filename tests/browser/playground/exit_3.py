# sys.exit with a status: the program's own exit status.
import sys

print("leaving")
sys.exit(3)
