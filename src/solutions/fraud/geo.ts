const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km between two points given in degrees (haversine formula). */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Cities the simulator places users, merchants and fraudsters in: [name, lat, lon, currency]. */
export const CITIES: readonly (readonly [string, number, number, string])[] = [
  ['Paris', 48.8566, 2.3522, 'EUR'],
  ['Berlin', 52.52, 13.405, 'EUR'],
  ['Madrid', 40.4168, -3.7038, 'EUR'],
  ['Milan', 45.4642, 9.19, 'EUR'],
  ['Amsterdam', 52.3676, 4.9041, 'EUR'],
  ['Brussels', 50.8503, 4.3517, 'EUR'],
  ['London', 51.5072, -0.1276, 'GBP'],
  ['Manchester', 53.4808, -2.2426, 'GBP'],
  ['New York', 40.7128, -74.006, 'USD'],
  ['Chicago', 41.8781, -87.6298, 'USD'],
  ['San Francisco', 37.7749, -122.4194, 'USD'],
  ['Toronto', 43.6532, -79.3832, 'CAD'],
  ['Sao Paulo', -23.5558, -46.6396, 'BRL'],
  ['Lagos', 6.5244, 3.3792, 'NGN'],
  ['Singapore', 1.3521, 103.8198, 'SGD'],
  ['Jakarta', -6.2088, 106.8456, 'IDR'],
  ['Moscow', 55.7558, 37.6173, 'RUB'],
  ['Sydney', -33.8688, 151.2093, 'AUD'],
];
