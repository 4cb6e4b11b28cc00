import os
import sys


def run(argv):
    unused = 1
    try:
        return os.system(argv[1])
    except:
        pass
    return sys.argv

