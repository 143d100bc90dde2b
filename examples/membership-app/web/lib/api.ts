// Client for the Clubhouse API, used by the Next.js pages.
const API_URL = process.env.NEXT_PUBLIC_API_URL ?? "http://localhost:8000";
const publishableKey = process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY;

export async function fetchFeed(token: string) {
  const res = await fetch(`${API_URL}/feed`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return res.json();
}

export { publishableKey };
