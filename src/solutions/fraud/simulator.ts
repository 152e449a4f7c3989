import { Random } from '../../core/random.js';
import { CITIES, haversineKm } from './geo.js';
import type { FraudPattern, LabelledTransaction } from './transaction.js';

/** Settings of the transaction simulator; every figure is documented in this folder's README.md. */
export interface SimulatorOptions {
  users: number;
  merchants: number;
  days: number;
  /** Start of the simulated period, epoch ms. */
  start: number;
  /** Fraud episodes per user per day (each episode is several transactions). */
  episodeRate: number;
  seed: number;
}

export const DEFAULT_SIMULATOR_OPTIONS: Readonly<SimulatorOptions> = {
  users: 1000,
  merchants: 400,
  days: 30,
  start: Date.UTC(2026, 9, 1),
  episodeRate: 0.003,
  seed: 42,
};

export const MERCHANT_CATEGORIES = [
  'grocery',
  'fuel',
  'restaurants',
  'travel',
  'fashion',
  'pharmacy',
  'electronics',
  'jewelry',
  'gift_cards',
  'digital_goods',
] as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

interface Merchant {
  id: string;
  category: string;
  /** A compromised merchant: fraudsters pick it far more often than others. */
  compromised: boolean;
}

interface User {
  id: string;
  city: number;
  lat: number;
  lon: number;
  devices: string[];
  methods: string[];
  /** Log of the median amount. */
  logAmount: number;
  perDay: number;
  favourites: number[];
}

/** Generates a seeded, time-ordered stream of labelled transactions (legit traffic plus fraud episodes). */
export function simulateTransactions(options: Partial<SimulatorOptions> = {}): LabelledTransaction[] {
  const o = { ...DEFAULT_SIMULATOR_OPTIONS, ...options };
  const random = new Random(o.seed);
  const merchants = makeMerchants(o.merchants, random);
  const users = Array.from({ length: o.users }, (_, i) => makeUser(i, merchants.length, random));
  const out: LabelledTransaction[] = [];
  const sim = { random, merchants, out, counter: 0 };
  for (const user of users) legitTraffic(sim, user, o);
  const episodes = Math.round(o.users * o.days * o.episodeRate);
  for (let e = 0; e < episodes; e++) {
    const user = users[random.int(users.length)];
    const at = o.start + DAY + random.next() * (o.days - 1) * DAY;
    const roll = random.next();
    const pattern: FraudPattern = roll < 0.4 ? 'card_testing' : roll < 0.75 ? 'account_takeover' : 'burst';
    fraudEpisode(sim, user, pattern, at);
  }
  out.sort(
    (a, b) => a.timestamp.localeCompare(b.timestamp) || a.transaction_id.localeCompare(b.transaction_id),
  );
  return out.map((tx, i) => ({ ...tx, transaction_id: `tx${String(i).padStart(8, '0')}` }));
}

interface Sim {
  random: Random;
  merchants: Merchant[];
  out: LabelledTransaction[];
  counter: number;
}

function makeMerchants(n: number, random: Random): Merchant[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${String(i).padStart(4, '0')}`,
    category: MERCHANT_CATEGORIES[random.int(MERCHANT_CATEGORIES.length)],
    compromised: random.next() < 0.03,
  }));
}

function makeUser(i: number, merchants: number, random: Random): User {
  const city = random.int(12);
  const [, lat, lon] = CITIES[city];
  const devices = [`d${i}-0`];
  if (random.next() < 0.4) devices.push(`d${i}-1`);
  const methods = [random.next() < 0.7 ? 'card' : 'wallet'];
  if (random.next() < 0.3) methods.push('bank_transfer');
  const favourites = Array.from({ length: 5 + random.int(6) }, () => random.int(merchants));
  return {
    id: `u${String(i).padStart(5, '0')}`,
    city,
    lat: lat + random.normal() * 0.05,
    lon: lon + random.normal() * 0.05,
    devices,
    methods,
    logAmount: 3.4 + 0.5 * random.normal(),
    perDay: 0.3 + 3.7 * random.next(),
    favourites,
  };
}

function legitTraffic(sim: Sim, user: User, o: SimulatorOptions): void {
  const { random } = sim;
  const end = o.start + o.days * DAY;
  const travelling = random.next() < 0.03;
  const tripStart = o.start + random.next() * o.days * DAY;
  const tripCity = random.int(CITIES.length);
  let t = o.start + exponential(random, DAY / user.perDay);
  while (t < end) {
    const onTrip = travelling && t > tripStart && t < tripStart + 3 * DAY;
    const [, cityLat, cityLon, currency] = CITIES[onTrip ? tripCity : user.city];
    const lat = onTrip ? cityLat : user.lat;
    const lon = onTrip ? cityLon : user.lon;
    const merchant =
      random.next() < 0.8
        ? sim.merchants[user.favourites[random.int(user.favourites.length)]]
        : pick(sim, false);
    const big = random.next() < 0.005 ? 5 + 15 * random.next() : 1;
    const newDevice = random.next() < 0.003;
    emit(sim, {
      user_id: user.id,
      amount: round2(Math.exp(user.logAmount + 0.6 * random.normal()) * big),
      currency,
      merchant,
      device_id: newDevice
        ? `d${user.id}-new${random.int(1e6)}`
        : user.devices[random.int(user.devices.length)],
      payment_method: user.methods[random.int(user.methods.length)],
      time: daytime(random, t),
      lat: lat + random.normal() * 0.02,
      lon: lon + random.normal() * 0.02,
      pattern: 'legit',
    });
    t += exponential(random, DAY / user.perDay);
  }
}

function fraudEpisode(sim: Sim, user: User, pattern: FraudPattern, at: number): void {
  const { random } = sim;
  const fraudster = `fd${random.int(1e9)}`;
  const far = farCity(random, user);
  const [, farLat, farLon, farCurrency] = CITIES[far];
  const base = Math.exp(user.logAmount);
  if (pattern === 'card_testing') {
    const n = 5 + random.int(11);
    let t = at;
    for (let k = 0; k < n; k++) {
      t += (20 + 100 * random.next()) * 1000;
      emit(
        sim,
        fraudTx(
          sim,
          user,
          pattern,
          t,
          round2(0.5 + 4.5 * random.next()),
          fraudster,
          farLat,
          farLon,
          farCurrency,
          'digital_goods',
        ),
      );
    }
    if (random.next() < 0.5) {
      emit(
        sim,
        fraudTx(
          sim,
          user,
          pattern,
          t + 5 * MINUTE,
          round2(300 + 1200 * random.next()),
          fraudster,
          farLat,
          farLon,
          farCurrency,
          'electronics',
        ),
      );
    }
  } else if (pattern === 'account_takeover') {
    const n = 1 + random.int(4);
    let t = at;
    const method = random.next() < 0.5 ? `card-added-${random.int(1e6)}` : user.methods[0];
    for (let k = 0; k < n; k++) {
      t += (2 + 28 * random.next()) * MINUTE;
      const category = ['electronics', 'jewelry', 'gift_cards'][random.int(3)];
      const tx = fraudTx(
        sim,
        user,
        pattern,
        t,
        round2(base * (4 + 8 * random.next())),
        fraudster,
        farLat,
        farLon,
        farCurrency,
        category,
      );
      emit(sim, { ...tx, payment_method: method });
    }
  } else {
    const n = 4 + random.int(7);
    let t = at;
    const device = random.next() < 0.3 ? fraudster : user.devices[0];
    const [, , , currency] = CITIES[user.city];
    for (let k = 0; k < n; k++) {
      t += (3 + 7 * random.next()) * MINUTE;
      const category = MERCHANT_CATEGORIES[random.int(MERCHANT_CATEGORIES.length)];
      const tx = fraudTx(
        sim,
        user,
        pattern,
        t,
        round2(base * (1.5 + 2.5 * random.next())),
        device,
        user.lat,
        user.lon,
        currency,
        category,
      );
      emit(sim, tx);
    }
  }
}

interface Draft {
  user_id: string;
  amount: number;
  currency: string;
  merchant: Merchant;
  device_id: string;
  payment_method: string;
  time: number;
  lat: number;
  lon: number;
  pattern: FraudPattern | 'legit';
}

function fraudTx(
  sim: Sim,
  user: User,
  pattern: FraudPattern,
  time: number,
  amount: number,
  device: string,
  lat: number,
  lon: number,
  currency: string,
  category: string,
): Draft {
  return {
    user_id: user.id,
    amount,
    currency,
    merchant: pick(sim, true, category),
    device_id: device,
    payment_method: user.methods[0],
    time,
    lat: lat + sim.random.normal() * 0.02,
    lon: lon + sim.random.normal() * 0.02,
    pattern,
  };
}

/** A merchant; fraud picks a compromised one half of the time, and prefers the asked category. */
function pick(sim: Sim, fraud: boolean, category?: string): Merchant {
  const { random, merchants } = sim;
  if (fraud && random.next() < 0.5) {
    const bad = merchants.filter((m) => m.compromised);
    if (bad.length > 0) return bad[random.int(bad.length)];
  }
  if (category !== undefined) {
    const same = merchants.filter((m) => m.category === category);
    if (same.length > 0) return same[random.int(same.length)];
  }
  return merchants[random.int(merchants.length)];
}

function emit(sim: Sim, d: Draft): void {
  sim.out.push({
    transaction_id: `raw${sim.counter++}`,
    user_id: d.user_id,
    amount: d.amount,
    currency: d.currency,
    merchant_id: d.merchant.id,
    merchant_category: d.merchant.category,
    device_id: d.device_id,
    payment_method: d.payment_method,
    timestamp: new Date(Math.round(d.time)).toISOString(),
    location: { lat: round4(d.lat), lon: round4(d.lon) },
    is_fraud: d.pattern !== 'legit',
    pattern: d.pattern,
  });
}

/** A city at least 3,000 km from the user's home. */
function farCity(random: Random, user: User): number {
  for (;;) {
    const c = random.int(CITIES.length);
    if (haversineKm(CITIES[c][1], CITIES[c][2], user.lat, user.lon) > 3000) return c;
  }
}

/** Moves a time to the waking hours (07:00–23:00 UTC) of its day: legit traffic sleeps at night. */
function daytime(random: Random, t: number): number {
  const day = Math.floor(t / DAY) * DAY;
  return day + 7 * HOUR + random.next() * 16 * HOUR;
}

function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random.next()) * mean;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
