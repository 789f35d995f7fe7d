def coin_change(coins, amount):
    impossible = amount + 1
    fewest = [0] + [impossible] * amount  # fewest[a] = coins needed for amount a
    for coin in coins:
        for a in range(coin, amount + 1):
            if fewest[a - coin] + 1 < fewest[a]:
                fewest[a] = fewest[a - coin] + 1
    return fewest[amount] if fewest[amount] != impossible else -1
